"""The base of every spider: entry points fetched every run, article pages fetched once.

Entry points (a feed, a sitemap, a listing page) are fetched every run with conditional
GET (ETag / Last-Modified kept in the database), so an unchanged feed costs one request
and a 304. Article links are fetched only when neither their canonical URL nor their
identity (SOHR's post id, the link an Al-Modon redirect came from) is stored, queued or
given up on. Every outcome is counted in `result`, from which monitor.crawl derives the
source's status: a bot wall is `blocked`, an unreadable entry point `failing`.
"""
import re
from datetime import datetime, timedelta, timezone
from urllib.parse import urljoin

import scrapy
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest

from monitor import db as store
from monitor.extract import decode_html
from monitor.urls import canonical

from .formats import Link, parse_date, url_date
from .walls import bot_wall

# Every final status reaches our callbacks (3xx excepted, so redirects are still followed):
# a 403 or a 404 is an outcome to record, not an error to drop.
HANDLED = [304] + list(range(400, 600))
_PAGE_TYPES = (b"html", b"xml", b"text/plain")


class SourceSpider(scrapy.Spider):
    name = "source"
    article_pattern: re.Pattern | None = None   # which links are articles (None: any)

    def __init__(self, source, db, result, backfill=None, **kwargs):
        super().__init__(**kwargs)
        self.source, self.db, self.result = source, db, result
        self.options = dict(source.options)
        pattern = self.options.get("article_pattern")
        self.pattern = re.compile(pattern) if pattern else self.article_pattern
        self.backfill = backfill
        self.cutoff = datetime.now(timezone.utc) - timedelta(days=backfill) if backfill else None
        self.validators: dict[str, tuple] = {}   # entry URL → (etag, last_modified, links)
        self.requested: set[str] = set()
        for key, empty in (("feeds", 0), ("listings", 0), ("unchanged", 0), ("pages", 0), ("queued", 0),
                           ("errors", 0), ("gone", 0), ("blocked", []), ("failed", []),
                           ("feed_errors", []), ("warnings", [])):
            result.setdefault(key, empty)

    # -- what subclasses provide ----------------------------------------------------
    def entry_requests(self):
        """The entry points read every run (feeds, sitemaps, listing pages)."""
        return []

    def backfill_requests(self):
        """Archive or listing pages reaching back to self.cutoff (`monitor run --backfill`)."""
        return []

    def identity(self, url: str) -> str:
        """What makes two URLs the same article (SOHR: the post id)."""
        return canonical(url)

    def unchanged(self, response, cache: dict):
        """Requests to make when an entry point answered 304 (a sitemap index's children)."""
        return []

    async def start(self):
        for request in self.entry_requests():
            yield request
        if self.cutoff:
            for request in self.backfill_requests():
                yield request

    # -- entry points -----------------------------------------------------------------
    def entry(self, url, parse, *, secondary=False, conditional=True, missing_ok=False, count=True, **kwargs):
        """A request for a page of links. `secondary` pages (archives, older pages, child
        sitemaps) only warn when they fail; a primary one failing makes the source fail.
        `count=False`: a signpost (robots.txt naming sitemaps), not itself a feed read."""
        # A backfill reads every entry in full: a 304 would hide the links to older pages.
        cache = store.feed_cache(self.db, canonical(url)) if conditional and not self.cutoff else None
        headers = {}
        if cache and cache["etag"]:
            headers["If-None-Match"] = cache["etag"]
        if cache and cache["last_modified"]:
            headers["If-Modified-Since"] = cache["last_modified"]
        return scrapy.Request(
            url, callback=self._entry, errback=self._entry_failed, headers=headers, dont_filter=True,
            priority=10, cb_kwargs=kwargs,
            meta={"handle_httpstatus_list": HANDLED, "parse": parse, "cache": cache,
                  "secondary": secondary, "missing_ok": missing_ok, "count": count})

    def _entry(self, response, **kwargs):
        meta = response.meta
        counter = "listings" if meta["secondary"] else "feeds"
        if response.status == 304 and meta["cache"] is not None:
            self.result[counter] += meta["count"]
            self.result["unchanged"] += 1
            yield from self.unchanged(response, meta["cache"])
            return
        wall = bot_wall(response.status, response.body, expected_feed=True)
        if wall:
            self.note_blocked(response.url, wall)
            return
        if response.status >= 300:
            if not (meta["missing_ok"] and response.status in (404, 410)):
                self.entry_problem(response, f"HTTP {response.status}")
            return
        meta["problem"] = None
        yield from meta["parse"](response, **kwargs)
        if meta["problem"] is None:
            self.result[counter] += meta["count"]
            etag, modified = response.headers.get("ETag"), response.headers.get("Last-Modified")
            if etag or modified or meta.get("links"):
                self.validators[_origin(response)] = (_text(etag), _text(modified), meta.get("links"))

    def entry_problem(self, response_or_request, reason: str) -> None:
        """This entry point could not be read: the source fails if it was a primary one."""
        meta = response_or_request.meta
        meta["problem"] = reason
        url = response_or_request.url
        if meta.get("secondary"):
            self.result["warnings"].append(f"{reason} at {url}")
        else:
            self.result["feed_errors"].append(f"{reason} at {url}")

    def _entry_failed(self, failure):
        reason, _ = failure_reason(failure)
        self.entry_problem(failure.request, reason)

    # -- articles -----------------------------------------------------------------------
    def is_article(self, url: str) -> bool:
        return url.startswith(("http://", "https://")) and (self.pattern is None or bool(self.pattern.search(url)))

    def recent(self, date: str | None) -> bool:
        """Within the backfill window (a date we cannot read counts as recent)."""
        when = parse_date(date)
        return self.cutoff is None or when is None or when >= self.cutoff

    def articles(self, links, quiet=False):
        """Requests for the article links not stored, queued or given up on yet. `quiet`:
        found in archives by a backfill, old news that is stored but does not alert."""
        keyed = []
        for link in links:
            if self.is_article(link.url):
                keyed.append((link, list(dict.fromkeys([canonical(link.url), self.identity(link.url)]))))
        skip = store.skip_urls(self.db, [k for _, keys in keyed for k in keys])
        for link, keys in keyed:
            if skip.intersection(keys) or self.requested.intersection(keys):
                continue
            self.requested.update(keys)
            # dont_filter: we dedupe by identity above; Scrapy's filter would silently drop
            # the second visit of a redirect loop instead of letting it fail loudly.
            yield scrapy.Request(link.url, callback=self._article, errback=self._article_failed,
                                 dont_filter=True,
                                 meta={"handle_httpstatus_list": HANDLED, "keys": keys, "quiet": quiet},
                                 cb_kwargs={"feed_title": link.title, "feed_date": link.date})

    def _article(self, response, feed_title="", feed_date=None):
        keys = response.meta["keys"]
        wall = bot_wall(response.status, response.body)
        if wall:
            self.note_blocked(response.url, wall)
            return
        if response.status in (404, 410):
            self.note_permanent(keys[0], f"article gone (HTTP {response.status})")
            return
        if response.status >= 300:
            self.note_failed(response.url, f"HTTP {response.status}")
            return
        ctype = response.headers.get("Content-Type") or b""
        if ctype and not any(t in ctype.lower() for t in _PAGE_TYPES):
            self.note_permanent(keys[0], f"not a web page ({_text(ctype)})")
            return
        self.result["pages"] += 1
        aliases = set(keys) | {canonical(u) for u in response.meta.get("redirect_urls", [])}
        aliases.add(self.identity(response.url))
        yield {"url": response.url, "html": decode_html(response.body, _text(ctype) or None),
               "source": self.source.name, "lang": self.source.lang, "feed_title": feed_title,
               "feed_date": feed_date, "aliases": sorted(aliases - {canonical(response.url)}),
               "quiet": response.meta.get("quiet", False)}

    def _article_failed(self, failure):
        reason, permanent = failure_reason(failure)
        if permanent:
            self.note_permanent(failure.request.meta["keys"][0], reason)
        elif reason != "forbidden by robots.txt":
            self.note_failed(failure.request.url, reason)
        else:
            self.result["warnings"].append(f"{reason}: {failure.request.url}")

    # -- outcomes -------------------------------------------------------------------------
    def note_blocked(self, url: str, reason: str) -> None:
        self.result["blocked"].append(f"{reason} at {url}")

    def note_failed(self, url: str, reason: str) -> None:
        """A failure worth retrying next run (a timeout, a 500)."""
        self.result["failed"].append(f"{reason} at {url}")
        self.result["errors"] += 1

    def note_permanent(self, url: str, reason: str) -> None:
        """A link that will not work next time either: counted, and given up on after
        MAX_URL_ATTEMPTS runs, so it does not cost a request every run."""
        attempts = store.record_failure(self.db, url, self.source.name, reason)
        self.result["gone"] += 1
        tail = "; given up" if attempts >= store.MAX_URL_ATTEMPTS else f"; will retry ({attempts}/{store.MAX_URL_ATTEMPTS})"
        self.result["warnings"].append(f"{reason}: {url}{tail}")

    def closed(self, reason):
        # Validators are kept only after a clean crawl: if a page of this feed failed, the
        # next run must read the feed again rather than get a 304 and forget that page.
        if reason != "finished" or self.result["blocked"] or self.result["failed"]:
            return
        for url, (etag, modified, links) in self.validators.items():
            store.save_feed_cache(self.db, url, etag, modified, links)


def listing_links(response, is_article, selector: str | None = None) -> list[Link]:
    """Article links on a listing page with the date of their card (<time datetime>, a
    YYYY/MM/DD date, or the URL's date). Without a selector, links in the page's header,
    navigation, footer and sidebars ("most read") are left out."""
    if selector:
        anchors = [a for el in response.css(selector) for a in (
            [el] if el.root.tag == "a" else el.xpath(".//a[@href]")[:1])]
    else:
        anchors = response.xpath("//a[@href][not(ancestor::header or ancestor::nav or ancestor::footer "
                                 "or ancestor::aside)]")
    out = {}
    for a in anchors:
        url = response.urljoin(a.attrib.get("href", "").strip())
        if url in out or not is_article(url):
            continue
        title = " ".join(a.xpath("string(.)").get("").split())
        out[url] = Link(url, title, _card_date(a) or url_date(url))
    return list(out.values())


_SLASH_DATE = re.compile(r"\b(\d{4})[/-](\d{2})[/-](\d{2})\b")


def _card_date(anchor) -> str | None:
    for ancestor in reversed(anchor.xpath("ancestor::*")[-4:]):
        stamp = ancestor.xpath(".//time/@datetime").get()
        if stamp:
            return stamp
        m = _SLASH_DATE.search(ancestor.xpath("string(.//*[contains(@class, 'date')])").get(""))
        if m:
            return "-".join(m.groups())
    return None


def failure_reason(failure) -> tuple[str, bool]:
    """A download failure in words, and whether trying again next run is pointless."""
    exc = failure.value
    msg = str(exc)
    if isinstance(exc, DownloadCancelledError) or "DOWNLOAD_MAXSIZE" in msg:
        return "page too large (over the DOWNLOAD_MAXSIZE limit)", True
    if isinstance(exc, IgnoreRequest):
        if "max redirections" in msg:
            return "redirect loop", True
        if "robots.txt" in msg:
            return "forbidden by robots.txt", False
        return f"ignored: {msg}", False
    name = type(exc).__name__
    if "Timeout" in name:
        return "timed out", False
    if "ConnectionRefused" in name or "DNSLookup" in name or "CannotResolveHost" in name:
        return f"cannot connect ({name})", False
    return f"{name}: {msg}"[:200], False


def _origin(response) -> str:
    """The URL first requested (before redirects): the key of the entry's validators."""
    return canonical((response.meta.get("redirect_urls") or [response.url])[0])


def _text(value) -> str | None:
    return value.decode("latin-1") if isinstance(value, bytes) else value


def join(base: str, path: str) -> str:
    return urljoin(base, path)
