"""`sitemap`: article links from a sitemap (news sitemaps included), configured in YAML.

The url is a sitemap, a sitemap index or a robots.txt (its `Sitemap:` lines). Only dated
entries count (<news:publication_date> or <lastmod>), and only those newer than `max_age`
(default 2d) in a normal run, or than the window of `--backfill DAYS`: a site's full
sitemap lists years of articles, and an undated entry cannot be placed in time. Child
sitemaps of an index whose <lastmod> is older than the window are not fetched.
"""
from datetime import datetime, timedelta, timezone

from monitor.config import parse_duration

from .base import SourceSpider
from .formats import parse_date, parse_sitemap, robots_sitemaps

MAX_DEPTH = 3


class SitemapSpider(SourceSpider):
    name = "sitemap"

    def __init__(self, source, db, result, backfill=None, **kwargs):
        super().__init__(source, db, result, backfill=backfill, **kwargs)
        max_age = timedelta(seconds=parse_duration(self.options.get("max_age", "2d")) or 172800)
        window = datetime.now(timezone.utc) - max_age
        self.since = min(window, self.cutoff) if self.cutoff else window

    def entry_requests(self):
        if self.source.url.rstrip("/").endswith("robots.txt"):
            return [self.entry(self.source.url, self.parse_robots)]
        return [self.entry(self.source.url, self.parse_sitemap)]

    def in_window(self, date: str | None) -> bool:
        when = parse_date(date)
        return when is not None and when >= self.since

    def parse_robots(self, response):
        sitemaps = robots_sitemaps(response.body.decode("utf-8", "replace"))
        if not sitemaps:
            self.entry_problem(response, "robots.txt names no sitemap")
            return
        response.meta["links"] = [[url, None] for url in sitemaps]
        for url in sitemaps:
            yield self.entry(response.urljoin(url), self.parse_sitemap, secondary=True, depth=1)

    def parse_sitemap(self, response, depth=0):
        sitemap = parse_sitemap(response.body, max_size=self.settings.getint("DOWNLOAD_MAXSIZE"))
        if sitemap.kind == "unknown":
            start = response.body[:60].decode("utf-8", "replace").strip()
            self.entry_problem(response, f"not a sitemap (it starts {start!r})")
            return
        if sitemap.kind == "sitemapindex":
            response.meta["links"] = [[link.url, link.date] for link in sitemap.links]
            yield from self.children(response.meta["links"], depth)
            return
        yield from self.articles([link for link in sitemap.links if self.in_window(link.date)])

    def children(self, links, depth):
        if depth >= MAX_DEPTH:
            return
        for url, date in links:
            if date is None or self.in_window(date):
                yield self.entry(url, self.parse_sitemap, secondary=True, depth=depth + 1)

    def unchanged(self, response, cache):
        """An index or robots.txt answering 304: its children may still have changed."""
        yield from self.children(cache.get("links") or [], 0)
