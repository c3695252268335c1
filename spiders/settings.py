"""Scrapy settings for every monitor crawl: polite, bounded, quiet.

`crawl:` in config.yaml overrides any of these (Scrapy setting names).
"""
from scrapy.settings import default_settings

BOT_NAME = "monitor"
SPIDER_MODULES = ["spiders"]
ROBOTSTXT_OBEY = True
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "WARNING"
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024          # a news page is < 1 MB; refuse 50 MB monsters
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
# gzip, deflate, br, zstd; a compressed body is capped at DOWNLOAD_MAXSIZE once decompressed.
COMPRESSION_ENABLED = True
RETRY_ENABLED = True
RETRY_TIMES = 2
# Retries wait RETRY_BACKOFF_BASE × 2^(n-1) s, or the server's Retry-After up to
# RETRY_BACKOFF_MAX (longer: give up, the source reads `blocked`). spiders/middlewares.py
RETRY_BACKOFF_BASE = 2.0
RETRY_BACKOFF_MAX = 60.0
# robots.txt is obeyed and kept for a day in the database (RFC 9309 §2.4): an incremental
# run then costs the feed requests alone.
ROBOTSTXT_CACHE_SECONDS = 86400
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "spiders.middlewares.BackoffRetryMiddleware": 550,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "spiders.middlewares.CachedRobotsTxtMiddleware": 100,
}
AUTOTHROTTLE_ENABLED = True
# Half a second between the first requests to a site, then AutoThrottle follows its latency.
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
REDIRECT_MAX_TIMES = 5                        # more is a loop: recorded, not followed
# An old Al-Modon link answers 301; a <meta refresh> to a login or consent page is not
# the article, and an unexpected refresh must not move us off the site.
METAREFRESH_ENABLED = False
ITEM_PIPELINES = {"spiders.pipelines.StorePipeline": 300}
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"

# Components a feed-then-article crawl never uses: off, they cost time on every request.
SPIDER_MIDDLEWARES = {
    "scrapy.spidermiddlewares.referer.RefererMiddleware": None,
    "scrapy.spidermiddlewares.urllength.UrlLengthMiddleware": None,
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
}
# Extensions a monitor crawl does without. Left out of the base list rather than set to
# None in EXTENSIONS: Scrapy imports every class EXTENSIONS names, even one it is told to
# skip, and RemoteControl's import (aiohttp, an SSL context) cost 0.14 s of every crawl's
# start. RemoteControl (Scrapy 2.19) is an HTTP server in every crawl that runs the Python
# code it is sent, announced by a job file under ~/.local/state that only a clean exit
# removes (killed crawls left them for ever): not for a monitor on a server.
_WITHOUT = {"scrapy.extensions.memusage.MemoryUsage", "scrapy.extensions.logstats.LogStats",
            "scrapy.extensions.remote_control.RemoteControl"}
EXTENSIONS_BASE = {k: v for k, v in default_settings.EXTENSIONS_BASE.items() if k not in _WITHOUT}
REMOTE_CONTROL_ENABLED = False
# Scrapy starts this many asyncio tasks per response to process its output; an article
# yields one item, so 100 (the default) spent more CPU than the download (bench/).
CONCURRENT_ITEMS = 4
