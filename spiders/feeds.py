"""`feed`: any RSS or Atom feed (the source's url is the feed), and the base of the SOHR
and Al-Modon spiders, which read their site's feed first.

A backfill (`monitor run --backfill DAYS`) follows the feed's older pages while they stay
within the window: RFC 5005's <link rel="next">, or WordPress's ?paged=N (Enab Baladi,
North Press, Syria Direct and SOHR run WordPress).
"""
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .base import SourceSpider, join
from .formats import parse_feed

MAX_FEED_PAGES = 50


class FeedSpider(SourceSpider):
    name = "feed"
    feed_path = ""                      # relative to the source URL ("": the URL is the feed)

    def feed_urls(self) -> list[str]:
        return [join(self.source.url, self.feed_path) if self.feed_path else self.source.url]

    def entry_requests(self):
        return [self.entry(url, self.parse_feed) for url in self.feed_urls()]

    def parse_feed(self, response, page=1, seen=()):
        feed = parse_feed(response.body, response.url, _header(response, "Content-Type"))
        if not feed.is_feed:
            start = response.body[:60].decode("utf-8", "replace").strip()
            self.entry_problem(response, f"not an RSS or Atom feed (it starts {start!r})")
            return
        if feed.problem:
            if not feed.links:
                self.entry_problem(response, f"malformed feed, no item could be read ({feed.problem})")
                return
            self.result["warnings"].append(f"malformed feed at {response.url} ({feed.problem}); "
                                           f"{len(feed.links)} items read anyway")
        articles = [link for link in feed.links if self.is_article(link.url)]
        if feed.links and not articles and page == 1:
            # The site changed its URLs (or article_pattern is wrong): this must not read as
            # "no news".
            self.entry_problem(response, f"none of the {len(feed.links)} items links to an article page "
                                         f"(first: {feed.links[0].url}); check article_pattern")
            return
        if page == 1:
            yield from self.articles(articles)
        else:
            yield from self.articles([a for a in articles if self.recent(a.date)], quiet=True)
        urls = {link.url for link in feed.links}
        if self.cutoff and page < MAX_FEED_PAGES and urls and not urls <= set(seen) \
                and all(link.date and self.recent(link.date) for link in feed.links):
            older = feed.next_url or _paged(self.feed_urls()[0], page + 1)
            yield self.entry(older, self.parse_feed, secondary=True, conditional=False, missing_ok=True,
                             page=page + 1, seen=tuple(urls))


def _paged(url: str, n: int) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "paged"] + [("paged", str(n))]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _header(response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
