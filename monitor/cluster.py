"""The same story on several sites: bottom-k sketches of word shingles, reprint lines,
and the same signal on the same actors within a time window. Pure functions.

Reprints (SOHR republishing Al-Modon with an "المصدر: المدن" line) and near-duplicate
wire copy share most of their 4-word shingles; unrelated articles share almost none.
Reports written independently (or in another language) share no text but the event:
the same signal on the same actors and place, published within EVENT_WINDOW.
"""
import re
import zlib
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from .text import WORD, normalise

K = 64            # sketch size: enough to tell 30 % from 80 % overlap apart
SHINGLE = 4
# Articles sharing at least this many of their K smallest hashes are the same story.
MIN_SHARED = 16


def sketch(text: str) -> list[int]:
    words = WORD.findall(normalise(text).lower)
    grams = {" ".join(words[i:i + SHINGLE]) for i in range(max(1, len(words) - SHINGLE + 1))}
    hashes = sorted({zlib.crc32(g.encode()) for g in grams if g})
    return hashes[:K]

# A reprint line ("المصدر: المدن") makes a weaker overlap enough: the reprint is often cut.
REPRINT_MIN_SHARED = 6
# The same signal (type, modality, change, agent, target, place) in articles published this
# close together is one event, however differently the outlets wrote it (or in which language).
EVENT_WINDOW = timedelta(hours=24)

# How reprint lines name the outlets our spiders crawl. A source of another kind adds its own
# names in config.yaml (`names: [عنب بلدي, Enab Baladi]`).
OUTLET_NAMES = {
    "almodon": ("المدن", "المدن أونلاين", "Al-Modon", "Almodon", "Al Modon", "almodon.com"),
    "sohr": ("المرصد السوري لحقوق الإنسان", "المرصد السوري", "SOHR", "Syrian Observatory for Human Rights",
             "The Syrian Observatory For Human Rights", "syriahr.com"),
}
_NAME_NOISE = re.compile(r"^(?:موقع|صحيفة|جريدة|وكالة|قناة|the)\s+|[\"'«»“”()\[\].,:;-]", re.I)


def outlet_key(url: str) -> str:
    """Who published a URL: its host (and port), without www. sohr-ar and sohr-en share it."""
    netloc = urlsplit(url).netloc.lower()
    return netloc[4:] if netloc.startswith("www.") else netloc


def _name(text: str) -> str:
    return " ".join(_NAME_NOISE.sub(" ", normalise(text).lower).split())


def outlet_named(name: str, sources) -> str | None:
    """The outlet key of the monitored source a reprint line names, if we monitor it."""
    wanted = _name(name)
    for s in sources:
        names = OUTLET_NAMES.get(s.spider, ()) + tuple(map(str, s.options.get("names") or ()))
        if any(_name(n) == wanted for n in names):
            return outlet_key(s.url)
    return None


def origin(article: dict, sources) -> str:
    """Where a report comes from: the outlet a reprint names, else the outlet that published it.
    Two articles with one origin are one source, not a corroboration."""
    if article.get("reprint_of"):
        return outlet_named(article["reprint_of"], sources) or "named:" + _name(article["reprint_of"])
    return outlet_key(article["url"])


def event_key(signal: dict) -> dict | None:
    """What makes two signals the same event; None when no actor is named (too vague to join)."""
    if not signal.get("agent") and not signal.get("target"):
        return None
    return {k: signal.get(k) for k in ("type", "modality", "change", "agent", "target", "place")}


def close_in_time(a: datetime | None, b: datetime | None) -> bool:
    return a is not None and b is not None and abs(a - b) <= EVENT_WINDOW
