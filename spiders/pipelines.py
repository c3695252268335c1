"""Hands each fetched page to the inbox, where monitor's workers extract and store it."""
from monitor import db as store
from monitor.urls import canonical


class StorePipeline:
    def process_item(self, item, spider):
        if store.enqueue(spider.db, {**item, "url": canonical(item["url"])}):
            spider.result["queued"] += 1
        return item
