"""Scrapy spiders: they fetch pages and nothing else (see spiders/pipelines.py)."""
from .almodon import AlmodonSpider
from .feeds import FeedSpider
from .listing import ListingSpider
from .sitemap import SitemapSpider
from .sohr import SohrSpider

SPIDERS = {"sohr": SohrSpider, "almodon": AlmodonSpider, "feed": FeedSpider,
           "sitemap": SitemapSpider, "listing": ListingSpider}
