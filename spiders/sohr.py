"""SOHR (syriahr.com): WordPress. Arabic feed /feed/, English /en/feed/; articles end in
/<numeric post id>/ (Arabic: /<percent-encoded slug>/<id>/, English: /en/<id>/).

Identity is the post id: the same article is seen with %d8 and %D8 in its slug, with an
edited slug, and as the feed's guid ?p=<id> (research/sites.md). A backfill walks the
monthly archives /date/YYYY/MM/ and their /page/N/, newest first, down to the cutoff.
"""
import re
from datetime import datetime, timezone
from urllib.parse import urlsplit

from .base import listing_links
from .feeds import FeedSpider

_ID = re.compile(r"^(/en)?/(?:[^/]+/)?(\d+)/?$")


class SohrSpider(FeedSpider):
    name = "sohr"
    feed_path = "feed/"
    article_pattern = re.compile(r"^https?://[^/]+(?:/en)?/(?:[^/?#]+/)?\d+/?(?:[?#].*)?$")

    def identity(self, url: str) -> str:
        parts = urlsplit(url)
        m = _ID.match(parts.path)
        if not m:
            return super().identity(url)
        return f"{parts.scheme.lower()}://{parts.netloc.lower()}{m.group(1) or ''}/?p={m.group(2)}"

    def backfill_requests(self):
        for year, month in months(self.cutoff, datetime.now(timezone.utc)):
            yield self.entry(f"{self.source.url.rstrip('/')}/date/{year}/{month:02d}/", self.parse_archive,
                             secondary=True, conditional=False, missing_ok=True)

    def parse_archive(self, response):
        """An archive page, newest first: its articles within the window, then the next
        page unless this one already reached past the cutoff."""
        cards = listing_links(response, self.is_article)
        recent = [c for c in cards if self.recent(c.date)]
        yield from self.articles(recent, quiet=True)
        older = response.css("a.next.page-numbers::attr(href), link[rel=next]::attr(href)").get()
        if older and cards and len(recent) == len(cards):
            yield self.entry(response.urljoin(older), self.parse_archive, secondary=True, conditional=False,
                             missing_ok=True)


def months(start: datetime, end: datetime) -> list[tuple[int, int]]:
    """(year, month) from end's month back to start's, newest first."""
    out, (y, m) = [], (end.year, end.month)
    while (y, m) >= (start.year, start.month):
        out.append((y, m))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out
