"""Hands fetched pages to the inbox, where monitor's workers extract and store them, and
remembers the other spellings of each URL (the link before a redirect, SOHR's ?p=id).
A page found only through a backfill's archives is queued `quiet`: stored, not alerted.

Pages are written in small batches (BATCH pages or FLUSH seconds, and whatever is left
when the spider closes): SQLite has one writer, and a commit per page made the crawl and
the workers queue for the lock (sleeping in SQLite's busy handler) on every page. A crawl
killed mid-batch loses nothing stored: those few pages are fetched again next run.
"""
import time

from monitor import db as store
from monitor.urls import canonical

BATCH = 16
FLUSH = 0.25        # seconds


class StorePipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        self.pending: list[dict] = []
        self.since = 0.0          # when the pending batch began

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item):
        if not self.pending:
            from twisted.internet import reactor    # the one Scrapy installed (importing it earlier installs another)
            self.since = time.monotonic()
            reactor.callLater(FLUSH, self._due, self.since)     # a last page must not wait for the next
        self.pending.append({**item, "url": canonical(item["url"])})
        if len(self.pending) >= BATCH:
            self.flush()
        return item

    def _due(self, since: float) -> None:
        if self.pending and self.since == since:
            self.flush()

    def close_spider(self):
        self.flush()

    def flush(self) -> None:
        pages, self.pending = self.pending, []
        if pages:
            spider = self.crawler.spider
            spider.result["queued"] += sum(store.enqueue_many(spider.db, pages))
