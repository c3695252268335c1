"""`sitemap`: article links from a sitemap (news sitemaps included), configured in YAML.

The url is a sitemap, a sitemap index or a robots.txt (its `Sitemap:` lines). Only dated
entries count (<news:publication_date> or <lastmod>), and only those newer than `max_age`
(default 2d) in a normal run, or than the window of `--backfill DAYS`: a site's full
sitemap lists years of articles, and an undated entry cannot be placed in time. Child
sitemaps of an index whose <lastmod> is older than the window are not fetched.
"""
from datetime import datetime, timedelta, timezone
from urllib.parse import urljoin, urlsplit

from monitor import db as store
from monitor.config import parse_duration
from monitor.urls import canonical

from .base import SourceSpider
from .formats import parse_date, parse_sitemap, robots_sitemaps

MAX_DEPTH = 3


class SitemapSpider(SourceSpider):
    name = "sitemap"

    def __init__(self, source, db, result, backfill=None, **kwargs):
        super().__init__(source, db, result, backfill=backfill, **kwargs)
        max_age = timedelta(seconds=parse_duration(self.options.get("max_age", "2d")) or 172800)
        self.window = datetime.now(timezone.utc) - max_age
        self.since = min(self.window, self.cutoff) if self.cutoff else self.window

    def entry_requests(self):
        if not self.source.url.rstrip("/").endswith("robots.txt"):
            return [self.entry(self.source.url, self.parse_sitemap)]
        # The robots.txt middleware keeps each host's file for a day: read the sitemaps
        # from it rather than fetch the same file again.
        max_age = self.settings.getint("ROBOTSTXT_CACHE_SECONDS")
        cached = store.cached_robots(self.db, urlsplit(self.source.url).netloc, max_age) if max_age > 0 else None
        if cached and robots_sitemaps(cached):
            return list(self.children([[urljoin(self.source.url, u), None] for u in robots_sitemaps(cached)], 0,
                                      secondary=False))
        return [self.entry(self.source.url, self.parse_robots, count=False)]

    def in_window(self, date: str | None, since=None) -> bool:
        when = parse_date(date)
        return when is not None and when >= (since or self.since)

    def parse_robots(self, response):
        sitemaps = robots_sitemaps(response.body.decode("utf-8", "replace"))
        if not sitemaps:
            self.entry_problem(response, "robots.txt names no sitemap")
            return
        response.meta["links"] = [[response.urljoin(url), None] for url in sitemaps]
        # The sitemaps a robots.txt names are the source's feeds: if none can be read, it fails.
        yield from self.children(response.meta["links"], 0, secondary=False)

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
        fresh = [link for link in sitemap.links if self.in_window(link.date, self.window)]
        yield from self.articles(fresh)
        if self.cutoff:     # a backfill's older entries: stored, not alerted
            yield from self.articles([link for link in sitemap.links if self.in_window(link.date)
                                      and link not in fresh], quiet=True)

    def children(self, links, depth, secondary=True):
        if depth >= MAX_DEPTH:
            return
        for url, date in links:
            if (date is None or self.in_window(date)) and not self.read_since(url, date):
                yield self.entry(url, self.parse_sitemap, secondary=secondary, depth=depth + 1)

    def read_since(self, url, date) -> bool:
        """Did we read this child sitemap in full after the <lastmod> its index gives it?
        Then it has not changed: no request (a backfill, with its wider window, reads it)."""
        changed = parse_date(date)
        cache = store.feed_cache(self.db, canonical(url)) if changed and not self.cutoff else None
        return bool(cache and cache["checked_at"] and parse_date(cache["checked_at"]) >= changed)

    def unchanged(self, response, cache):
        """An index or robots.txt answering 304: its children may still have changed."""
        yield from self.children(cache.get("links") or [], 0, secondary=not response.url.endswith("robots.txt"))
