"""Imported once by the crawl fork server (monitor/crawl.py): every component Scrapy
loads by name when a crawler starts (download handlers, middlewares, extensions), so a
forked crawl does not import them again: they cost ~0.5 s of CPU per source otherwise."""
import gc

from scrapy.settings import default_settings
from scrapy.utils.misc import load_object

from . import settings

_COMPONENTS = ("DOWNLOADER_MIDDLEWARES_BASE", "SPIDER_MIDDLEWARES_BASE",
               "EXTENSIONS_BASE", "ITEM_PIPELINES_BASE")
_NAMED = ("DUPEFILTER_CLASS", "SCHEDULER", "SCHEDULER_PRIORITY_QUEUE", "SCHEDULER_MEMORY_QUEUE",
          "SCHEDULER_DISK_QUEUE", "STATS_CLASS", "DOWNLOADER", "ROBOTSTXT_PARSER", "LOG_FORMATTER",
          "REQUEST_FINGERPRINTER_CLASS", "DOWNLOADER_CLIENTCONTEXTFACTORY", "DNS_RESOLVER",
          "ADDONS", "SPIDER_LOADER_CLASS", "ITEM_PROCESSOR")


def _paths():
    # s3 and ftp handlers are loaded lazily, on a first s3:// or ftp:// URL: never here.
    yield from (p for scheme, p in default_settings.DOWNLOAD_HANDLERS_BASE.items() if scheme in ("http", "https"))
    # What Scrapy imports when a crawler starts: the base lists (ours where settings.py
    # replaces one), less what our lists turn off, and every class our lists name, even
    # one turned off (Scrapy loads those keys to compare them).
    for name in _COMPONENTS:
        ours = getattr(settings, name[:-len("_BASE")], {})
        base = getattr(settings, name, None) or getattr(default_settings, name, None) or {}
        yield from (p for p in base if ours.get(p, 0) is not None)
        yield from ours
    for name in _NAMED:
        value = getattr(default_settings, name, None)
        if isinstance(value, str):
            yield value


for _path in _paths():
    try:
        load_object(_path)
    except Exception:   # an optional component whose dependency is absent (s3, ftp…)
        pass

# Forked children share these objects copy-on-write; keep the garbage collector from
# walking (and so copying) them in every child.
gc.freeze()
