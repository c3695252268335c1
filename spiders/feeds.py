"""The base of every spider: read a feed, fetch the articles not stored yet.

Feeds are fetched every run; article pages only when their canonical URL is new, so a
run with nothing new costs one request per feed.
"""
import re
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin

import scrapy

from monitor import db as store
from monitor.urls import canonical


class FeedSpider(scrapy.Spider):
    name = "feed"
    feed_path = ""                      # relative to the source URL
    article_pattern = re.compile(r".")  # which links in the feed are articles

    def __init__(self, source, db, result, **kwargs):
        super().__init__(**kwargs)
        self.source, self.db, self.result = source, db, result

    def feed_urls(self) -> list[str]:
        return [urljoin(self.source.url, self.feed_path) if self.feed_path else self.source.url]

    async def start(self):
        for url in self.feed_urls():
            yield scrapy.Request(url, callback=self.parse_feed, dont_filter=True)

    def parse_feed(self, response):
        if is_challenge(response):
            self.result["challenge"] = True    # a bot wall answering 200: blocked, not "no news"
            return
        self.result["feeds"] += 1
        response.selector.remove_namespaces()
        entries = []
        for item in response.xpath("//item | //entry"):
            link = (item.xpath("link/text()").get() or item.xpath("link/@href").get() or "").strip()
            if not link:
                continue
            link = response.urljoin(link)
            if not self.article_pattern.search(link):
                continue
            entries.append((link, item.xpath("title/text()").get(default="").strip(),
                            _date(item.xpath("pubDate/text() | published/text() | updated/text()").get())))
        known = store.known_urls(self.db, [canonical(e[0]) for e in entries])
        for link, title, date in entries:
            if canonical(link) in known:
                continue
            yield scrapy.Request(link, callback=self.parse_article,
                                 cb_kwargs={"feed_title": title, "feed_date": date})

    def parse_article(self, response, feed_title="", feed_date=None):
        self.result["pages"] += 1
        yield {"url": response.url, "html": response.text, "source": self.source.name,
               "lang": self.source.lang, "feed_title": feed_title, "feed_date": feed_date}


# What bot walls serve instead of the page (Cloudflare, Sucuri, DDoS-Guard, Imperva).
_CHALLENGE = re.compile(r"<title>\s*Just a moment\.\.\.|cf-browser-verification|/cdn-cgi/challenge-platform/|"
                        r"sucuri_cloudproxy_js|Sucuri WebSite Firewall|DDoS-Guard|_Incapsula_Resource|"
                        r"Checking your browser before accessing", re.I)


def is_challenge(response) -> bool:
    """An HTML challenge page where a feed was expected."""
    head = response.text[:20000] if hasattr(response, "text") else ""
    return "<rss" not in head and "<feed" not in head and bool(_CHALLENGE.search(head))


def _date(text):
    if not text:
        return None
    try:
        return parsedate_to_datetime(text.strip()).isoformat()
    except (TypeError, ValueError):
        return text.strip()
