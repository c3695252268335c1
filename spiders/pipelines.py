"""Hands each fetched page to monitor.process: the one door from Scrapy into monitor."""
from monitor.process import process_page


class StorePipeline:
    def process_item(self, item, spider):
        try:
            outcome = process_page(spider.db, spider.ctx, item)
        except Exception as exc:   # one bad page must not end the crawl
            spider.result["errors"] += 1
            spider.logger.error("could not process %s: %s", item.get("url"), exc)
            return item
        if outcome == "new":
            spider.result["new_articles"] += 1
        elif outcome == "empty":
            spider.result["empty"] += 1
        return item
