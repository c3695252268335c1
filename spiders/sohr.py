"""SOHR (syriahr.com): WordPress. Arabic feed /feed/, English /en/feed/; articles end in
/<numeric post id>/ (Arabic: /<percent-encoded slug>/<id>/, English: /en/<id>/)."""
import re

from .feeds import FeedSpider


class SohrSpider(FeedSpider):
    name = "sohr"
    feed_path = "feed/"
    article_pattern = re.compile(r"/\d+/?$")
