"""Downloader middlewares: retries with back-off, and robots.txt remembered for a day."""
import logging
from email.utils import parsedate_to_datetime
from datetime import datetime, timezone

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.http import Request
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.misc import build_from_crawler
from twisted.internet.task import deferLater

from monitor import db as store

from .walls import challenge

logger = logging.getLogger(__name__)


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retries, spaced out: RETRY_BACKOFF_BASE × 2^(n-1) seconds before retry n,
    or the server's Retry-After, at most RETRY_BACKOFF_MAX. Scrapy retries at once, which
    against a rate-limited site (429) only earns another 429. A Retry-After longer than
    the maximum is not waited for: the request gives up and the source reads `blocked`."""

    def __init__(self, settings):
        super().__init__(settings)
        self.base = settings.getfloat("RETRY_BACKOFF_BASE", 1.0)
        self.max = settings.getfloat("RETRY_BACKOFF_MAX", 60.0)

    async def process_response(self, request, response, spider=None):
        retry = super().process_response(request, response)
        if not isinstance(retry, Request):
            return retry
        delay = self.delay(retry, response.headers.get(b"Retry-After"))
        if delay is None:
            return response
        await _sleep(delay)
        return retry

    async def process_exception(self, request, exception, spider=None):
        retry = super().process_exception(request, exception)
        if isinstance(retry, Request):
            await _sleep(self.delay(retry, None) or 0)
        return retry

    def delay(self, retry: Request, retry_after: bytes | None) -> float | None:
        attempt = retry.meta.get("retry_times", 1)
        wait = min(self.base * 2 ** (attempt - 1), self.max)
        if retry_after:
            asked = _retry_after_seconds(retry_after.decode("latin-1"))
            if asked is not None:
                if asked > self.max:
                    return None
                wait = max(wait, asked)
        return wait


def _retry_after_seconds(value: str) -> float | None:
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


async def _sleep(seconds: float) -> None:
    from twisted.internet import reactor   # here: importing it earlier would install the default reactor
    if seconds > 0:
        await maybe_deferred_to_future(deferLater(reactor, seconds, lambda: None))


class CachedRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt handling, with each host's file kept in the database for
    ROBOTSTXT_CACHE_SECONDS (a day: RFC 9309 §2.4), so that a run with nothing new
    costs the feed request alone. A wall or an error page is never cached."""

    def __init__(self, crawler):
        super().__init__(crawler)
        self.max_age = crawler.settings.getint("ROBOTSTXT_CACHE_SECONDS", 86400)

    async def robot_parser(self, request):
        netloc = request.url.split("/")[2]
        db = getattr(self.crawler.spider, "db", None)
        if netloc not in self._parsers and db is not None and self.max_age > 0:
            body = store.cached_robots(db, netloc, self.max_age)
            if body is not None:
                self._parsers[netloc] = build_from_crawler(self._parserimpl, self.crawler, body.encode())
                self._stats.inc_value("robotstxt/cached")
        return await super().robot_parser(request)

    async def _parse_robots(self, response, netloc, request):
        await super()._parse_robots(response, netloc, request)
        db = getattr(self.crawler.spider, "db", None)
        if db is None:
            return
        if response.status == 200 and not challenge(response.body):
            store.save_robots(db, netloc, response.body.decode("utf-8", errors="replace"))
        elif response.status in (404, 410):      # no robots.txt: everything allowed
            store.save_robots(db, netloc, "")
