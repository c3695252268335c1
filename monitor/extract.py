"""HTML page → article fields (title, text, date, language), with trafilatura; and the
bytes of a page → text, whatever charset it was served with."""
import json
import re
from datetime import datetime

import trafilatura
from lxml import html as lxml_html
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom, resolve_encoding

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
    if isinstance(html, str):
        # lxml refuses text that still declares a byte encoding (<?xml … encoding=…?>).
        html = _XML_DECL.sub("", html, count=1)
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
    published = next((d for d in (tree.xpath(f"string({x})").strip() for x in _DATE_XPATHS) if d), "") \
        or _json_ld_date(tree)
    if published:
        out["published"] = published
    lang = (tree.xpath("string(/html/@lang)") or "")[:2].lower()
    if lang in ("ar", "en"):
        out["lang"] = lang
    return out


# Where pages state their publication date, most specific first: Open Graph article
# meta (WordPress, Al-Modon), schema.org microdata, Dublin Core and common CMS meta, then a
# <time> inside the article (JSON-LD is read after these, in _json_ld_date).
_DATE_XPATHS = (
    '//meta[@property="article:published_time"]/@content',
    '//meta[@itemprop="datePublished"]/@content',
    '//meta[@name="DC.date.issued" or @name="dc.date" or @name="DC.date"]/@content',
    '//meta[@name="pubdate" or @name="publishdate" or @name="date"]/@content',
    '(//article//time[@datetime])[1]/@datetime',
)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")


def _json_ld_date(tree) -> str:
    for block in tree.xpath('//script[@type="application/ld+json"]/text()'):
        try:
            data = json.loads(block)
        except ValueError:
            continue
        for item in data if isinstance(data, list) else data.get("@graph", [data]) if isinstance(data, dict) else []:
            if isinstance(item, dict) and isinstance(item.get("datePublished"), str):
                return item["datePublished"].strip()
    return ""


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


# -- bytes → text --------------------------------------------------------------
def decode_html(body: bytes, content_type: str | None = None) -> str:
    """A page's text, robust to a missing or wrong charset.

    Order: a byte-order mark; UTF-8 if the bytes are valid UTF-8 (Arabic in windows-1256 is
    practically never valid UTF-8, while a UTF-8 page served as ISO-8859-1 is common);
    then the charset of the Content-Type header, then the page's <meta charset>, each only
    if it decodes without error and does not turn Arabic into Latin mojibake; then a guess
    (charset-normalizer); windows-1256 last, the legacy charset of Arabic sites.
    """
    enc, bom = read_bom(body)
    if enc:
        return body[len(bom):].decode(enc, errors="replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = [http_content_type_encoding(content_type) if content_type else None,
                html_body_declared_encoding(body)]
    for name in declared:
        text = _try_decode(body, name)
        if text is not None and not _mojibake(text):
            return text
    import charset_normalizer   # slow to import: only for the rare undeclared legacy page
    best = charset_normalizer.from_bytes(body[:200_000]).best()
    text = _try_decode(body, best.encoding if best else None)
    if text is not None and not _mojibake(text):
        return text
    return body.decode("cp1256", errors="replace")


def _try_decode(body: bytes, name: str | None) -> str | None:
    enc = resolve_encoding(name) if name else None
    if not enc or enc == "utf-8":
        return None
    try:
        return body.decode(enc)
    except (UnicodeDecodeError, LookupError):
        return None


def _mojibake(text: str) -> bool:
    """Arabic decoded with a Latin code page: mostly Latin-1 supplement letters
    (Ç á Ó æ …) and no Arabic letter at all."""
    sample = text[:20_000]
    arabic = sum(1 for c in sample if "\u0600" <= c <= "\u06ff")
    latin_ext = sum(1 for c in sample if "\u00c0" <= c <= "\u00ff")
    return arabic == 0 and latin_ext > 20 and latin_ext > 0.05 * len(sample.split())
