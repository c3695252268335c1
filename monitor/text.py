"""Normalise Arabic and English text for matching, keeping a map back to the original.

Text and watchlist terms go through the same `normalise`, so a user writes a term once
in whatever spelling and it matches the variants outlets actually print.
"""
import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

# One-to-one folds: lengths never change here, so offsets survive.
_FOLD = {
    **{ord(c): "ا" for c in "أإآٱ"},
    ord("ى"): "ي", ord("ی"): "ي", ord("ک"): "ك", ord("ۀ"): "ه", ord("ہ"): "ه",
    **{0x0660 + i: str(i) for i in range(10)},   # Arabic-Indic digits
    **{0x06F0 + i: str(i) for i in range(10)},   # Extended (Persian) digits
    ord("\u00a0"): " ", ord("\u202f"): " ", ord("\u2009"): " ", ord("\t"): " ", ord("\r"): " ",
    ord("\u2007"): " ", ord("\u2002"): " ", ord("\u2003"): " ",
    ord("“"): '"', ord("”"): '"', ord("«"): '"', ord("»"): '"', ord("’"): "'", ord("‘"): "'",
    ord("،"): ",", ord("؛"): ";", ord("؟"): "?",
}
# str.translate with a table runs at ~28 MB/s on Arabic; one str.replace per folded
# character, skipped when absent, is ten times faster over an article, but slower on the
# thousands of short watchlist terms (45 scans each).
_FOLD_TABLE = str.maketrans(_FOLD)
_FOLD_PAIRS = tuple((chr(k), v) for k, v in _FOLD.items())


def _fold(text: str) -> str:
    if len(text) < 500:
        return text.translate(_FOLD_TABLE)
    for a, b in _FOLD_PAIRS:
        if a in text:
            text = text.replace(a, b)
    return text


# Removed characters: harakat, superscript alef, hamza marks, zero-width and bidi controls,
# tatweel inside words, SOHR English's intra-word `*` ("kil*led", to dodge filters), and
# repeated spaces (so multi-word terms match however many spaces a page has).
_DELETE = re.compile(
    # the leading lookahead skips ordinary characters at once (2.3x faster)
    "(?=[\u064b-\u065f\u0670\u06d6-\u06ed\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\u061c\u0640* ])(?:"
    "[\u064b-\u065f\u0670\u06d6-\u06ed\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\u061c]"
    "|(?<=[\u0621-\u064a\u064b-\u065f])\u0640+"
    "|(?<=[A-Za-z])\\*+(?=[A-Za-z])"
    "|(?<= ) +)"
)

AR_LETTER = "\u0621-\u064a"
# "cross-border" is one word when counting distances to cues: one hyphen, one word.
WORD = re.compile(f"[{AR_LETTER}A-Za-z0-9À-ɏ]+(?:-[A-Za-z0-9À-ɏ]+)*(?:['’][A-Za-z]+)?")


@dataclass(frozen=True)
class Normalised:
    """Normalised text, plus what maps its offsets back to the source text."""
    text: str          # folded, case kept (for case-sensitive aliases such as "US")
    lower: str         # the same, lower-cased with equal length: what we match on
    _keys: tuple       # deleted source positions, shifted: see `source_offset`

    def source_offset(self, i: int) -> int:
        """Offset in the original text of the character at normalised offset `i`."""
        return i + bisect_right(self._keys, i)

    def source_end(self, j: int) -> int:
        """Original offset just after the character at normalised offset `j - 1`."""
        return self.source_offset(j - 1) + 1 if j > 0 else 0


def _lower_same_length(s: str) -> str:
    low = s.lower()
    if len(low) == len(s):
        return low
    # A few characters (e.g. "İ") lower to two code points; keep one so offsets hold.
    return "".join(c.lower()[:1] for c in s)


def normalise(text: str) -> Normalised:
    folded = _fold(text)
    deleted = []
    pieces, last = [], 0
    for m in _DELETE.finditer(folded):
        pieces.append(folded[last:m.start()])
        deleted.extend(range(m.start(), m.end()))
        last = m.end()
    pieces.append(folded[last:])
    out = "".join(pieces).replace("\u0640", " ")
    keys = tuple(d - k for k, d in enumerate(deleted))
    return Normalised(out, _lower_same_length(out), keys)


_MASKED = re.compile(r"(?<![A-Za-z*])[A-Za-z]+\*[A-Za-z]+(?![A-Za-z*])")


def unmask(text: str, words) -> str:
    """SOHR English masks a letter of words like "dr*nes" and "sh*lled" as well as adding one
    ("kil*led", which `normalise` deletes): where deleting the `*` makes no word of `words`
    but one letter in its place does, put that letter there. The length stays the same, so
    offsets into the text hold."""
    if "*" not in text:
        return text

    def fill(m):
        w = m.group()
        if w.replace("*", "").lower() in words:
            return w
        for c in "abcdefghijklmnopqrstuvwxyz":
            if w.replace("*", c).lower() in words:
                return w.replace("*", c.upper() if w.isupper() else c)
        return w

    return _MASKED.sub(fill, text)


@lru_cache(maxsize=1 << 16)     # `requires:` lists repeat across triggers: 30,000 calls, 3,000 terms
def normalise_term(term: str) -> str:
    """The form a watchlist term is matched in (what `normalise` makes of the text)."""
    return normalise(" ".join(term.split())).text.strip()


def is_arabic(term: str) -> bool:
    return re.search(f"[{AR_LETTER}]", term) is not None


# A sentence ends at . ! ? (folded ؟) or a line break; not at "U.S." or "3.5" or "..".
# "..", "…" end a sentence even without a space: Arabic headlines join two clauses with
# them ("واشنطن تعلن استئناف الدوريات..وقسد تنسحب منها").
# The leading lookahead lets the engine skip ordinary characters at once (4.5x faster).
_SENT_END = re.compile(r"(?=[.!?…\n])(?:(?<![A-Z])(?<!\b[A-Z][a-z])(?<![0-9])[.!?]+(?=\s|$|[\"')\]])|\.{2,}|…|\n+)")


def sentences(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences in `text` (normalised or not), without surrounding space."""
    spans, start = [], 0
    for m in _SENT_END.finditer(text):
        spans.append((start, m.end()))
        start = m.end()
    spans.append((start, len(text)))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out
