"""Hands each fetched page to the inbox, where monitor's workers extract and store it,
and remembers the other spellings of its URL (the link before a redirect, SOHR's ?p=id).
A page found only through a backfill's archives is queued `quiet`: stored, not alerted."""
from monitor import db as store
from monitor.urls import canonical


class StorePipeline:
    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item):
        spider = self.crawler.spider
        url = canonical(item["url"])
        store.add_aliases(spider.db, url, item.get("aliases", ()), commit=False)   # enqueue commits both
        if store.enqueue(spider.db, {**item, "url": url}):
            spider.result["queued"] += 1
            if item.get("quiet"):
                store.mark_quiet(spider.db, url)
        return item
