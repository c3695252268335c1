"""Al-Modon (almodon.com): RSS at /rss; articles at /<section>/YYYY/MM/DD/<slug>
(older ones /<section>/<uuid>, redirected to the dated form).

Identity is the dated URL reached after redirects; the old link is kept as an alias so
it is not fetched again. A backfill reads the sitemap and the section pages (their 20
newest cards; more load by JavaScript), keeping the articles dated within the window.
"""
import re

from .base import listing_links
from .feeds import FeedSpider
from .formats import parse_sitemap, url_date

SECTIONS = ("politics", "arabworld", "economy", "society", "culture", "opinion")


class AlmodonSpider(FeedSpider):
    name = "almodon"
    feed_path = "rss"
    article_pattern = re.compile(r"/[a-z]+/(\d{4}/\d{2}/\d{2}/[^/?#]+|[0-9a-f]{8}-[0-9a-f-]{27})/?(?:[?#].*)?$")

    def backfill_requests(self):
        base = self.source.url.rstrip("/")
        yield self.entry(f"{base}/sitemap.xml", self.parse_sitemap, secondary=True, conditional=False,
                         missing_ok=True)
        for section in SECTIONS:
            yield self.entry(f"{base}/{section}", self.parse_section, secondary=True, conditional=False,
                             missing_ok=True)

    def parse_sitemap(self, response):
        links = parse_sitemap(response.body).links
        yield from self.articles([link for link in links if self.recent(url_date(link.url) or link.date)], quiet=True)

    def parse_section(self, response):
        yield from self.articles([c for c in listing_links(response, self.is_article) if self.recent(c.date)],
                                 quiet=True)
