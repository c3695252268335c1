"""HTML page → article fields (title, text, date, language), with trafilatura."""
import re
from datetime import datetime

import trafilatura
from lxml import html as lxml_html

_TITLE_SUFFIX = re.compile(r"\s*[•|–-]\s*(The Syrian Observatory For Human Rights|المرصد السوري لحقوق الإنسان|المدن)\s*$")
_URL_DATE = re.compile(r"/(\d{4})/(\d{2})/(\d{2})/")
_REPRINT = re.compile(r"^\s*(?:المصدر|Source)\s*[:：]\s*(.{2,60}?)\s*$", re.M)


# Options shared with bench/pipeline.py's baseline. Metadata comes from our own reading
# of the page (below): trafilatura's date search loads dateparser's locales, ~4 s per
# crawl process, for a date WordPress already states in article:published_time.
OPTIONS = dict(include_comments=False, include_tables=False, favor_precision=True, with_metadata=False)


def warm() -> None:
    """Load now what trafilatura loads on its first fallback to jusText: the stop lists of
    every language, ~30 MB. A long-lived worker then reaches its steady size when it
    starts, not hours later on some odd page (bench/soak.py measures it flat)."""
    from trafilatura.external import jt_stoplist_init
    jt_stoplist_init()


def extract(html: str | bytes, url: str) -> dict | None:
    """Title, text, published_at (ISO), lang and the outlet a reprint names; None if no text."""
    try:
        tree = lxml_html.fromstring(html)
    except (ValueError, lxml_html.etree.ParserError):
        return None
    meta = _meta(tree)     # before trafilatura, which prunes the tree it is given
    doc = trafilatura.bare_extraction(tree, url=url, **OPTIONS)
    if doc is None or not (doc.text or "").strip():
        return None
    text = doc.text.strip()
    return {
        "title": _TITLE_SUFFIX.sub("", meta.get("title", "")).strip(),
        "text": text,
        "published_at": meta.get("published") or _url_date(url),
        "lang": meta.get("lang") or guess_lang(text),
        "reprint_of": reprint_of(text),
    }


def _meta(tree) -> dict:
    out = {}
    title = tree.xpath('string(//meta[@property="og:title"]/@content)').strip() or \
        tree.xpath("string(//title)").strip()
    if title:
        out["title"] = title
    published = tree.xpath('string(//meta[@property="article:published_time"]/@content)').strip()
    if published:
        out["published"] = published
    lang = (tree.xpath("string(/html/@lang)") or "")[:2].lower()
    if lang in ("ar", "en"):
        out["lang"] = lang
    return out


def _url_date(url: str) -> str | None:
    m = _URL_DATE.search(url)
    if not m:
        return None
    try:
        return datetime(*map(int, m.groups())).date().isoformat()
    except ValueError:
        return None


def guess_lang(text: str) -> str:
    arabic = sum(1 for c in text[:2000] if "\u0600" <= c <= "\u06ff")
    latin = sum(1 for c in text[:2000] if c.isascii() and c.isalpha())
    return "ar" if arabic >= latin else "en"


def reprint_of(text: str) -> str | None:
    """The outlet named by a trailing "المصدر: المدن" / "Source: Rudaw" line."""
    tail = text.strip().splitlines()[-3:]
    for line in reversed(tail):
        m = _REPRINT.match(line)
        if m:
            return m.group(1).strip()
    return None
