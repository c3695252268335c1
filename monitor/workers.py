"""Workers that empty the inbox: extract, detect, store and queue alerts, one page at a
time, on every core, while the crawls are still fetching."""
import time
from collections import Counter

from . import db as store
from .config import load_config
from .process import Context, process_page
from .rules import load_rules

_crawls_done = None   # a multiprocessing Event, set by the run once every crawl has ended


def init(done_event) -> None:
    global _crawls_done
    _crawls_done = done_event


def work(config_path: str) -> Counter:
    """Process pages until the crawls are over and the inbox is empty.
    Returns counts keyed by (source, outcome)."""
    config = load_config(config_path)
    ctx = None     # the rules are compiled on the first page: a run with nothing new needs none
    db = store.open_db(config.database)
    counts: Counter = Counter()
    while True:
        page = store.claim(db)
        if page is None:
            if not _crawls_done.is_set():
                time.sleep(0.05)     # the crawls are still fetching: wait for more pages
                continue
            page = store.claim(db)   # anything queued just before the crawls ended
            if page is None:
                break
        try:
            ctx = ctx or Context(load_rules(config.watchlists), config.channels)
            counts[(page["source"], process_page(db, ctx, page, page["id"]))] += 1
        except Exception as exc:   # one bad page must not stop the others; it is retried later
            store.unclaim(db, page["id"], f"{type(exc).__name__}: {exc}")
            counts[(page["source"], "error")] += 1
    db.close()
    return counts
