"""Al-Modon (almodon.com): RSS at /rss; articles at /<section>/YYYY/MM/DD/<slug>
(older ones /<section>/<uuid>, redirected to the dated form)."""
import re

from .feeds import FeedSpider


class AlmodonSpider(FeedSpider):
    name = "almodon"
    feed_path = "rss"
    article_pattern = re.compile(r"/[a-z]+/(\d{4}/\d{2}/\d{2}/[^/]+|[0-9a-f-]{36})/?$")
