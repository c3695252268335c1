"""Find many terms at once in normalised text, clitic-aware for Arabic.

Aho-Corasick finds every term anywhere in the text; a hit is kept only if the rest of
its word is a valid Arabic proclitic string on the left and pronoun suffix on the right
(or nothing, for English). Stemmers were measured and rejected: they merge غارة
("raid") with غار ("cave") and دورية ("patrol") with دوري ("league").
"""
from dataclasses import dataclass
from operator import itemgetter
from typing import NamedTuple

import ahocorasick

from .text import Normalised, is_arabic, normalise_term

_CONJ = ("", "و", "ف")
_PREP = ("", "ب", "ل", "ك")
PROCLITICS = frozenset(c + p + a for c in _CONJ for p in _PREP for a in ("", "ال") if not (p == "ل" and a == "ال")) \
    | frozenset(c + "لل" for c in _CONJ) | frozenset(c + "س" for c in _CONJ)
# Before a term that already starts with ال: a conjunction and/or a preposition only.
PROCLITICS_AL = frozenset(c + p for c in _CONJ for p in ("", "ب", "ك"))
# "ا" is the accusative alef of tanween ("شنت هجوماً" → هجوما once the marks are gone).
ENCLITICS = frozenset(("", "ه", "ها", "هما", "هم", "هن", "نا", "كم", "كن", "ا"))
_AR = frozenset(chr(c) for c in range(0x0621, 0x064B))
_PRO_LETTERS = frozenset("".join(PROCLITICS) + "ل")
_ENC_LETTERS = frozenset("".join(ENCLITICS))
# An Arabic letter that can be no proclitic (before a term) or suffix (after it): the term
# sits inside a longer word.
_AR_NOT_PRO = _AR - _PRO_LETTERS
_AR_NOT_ENC = _AR - _ENC_LETTERS


class Hit(NamedTuple):
    """A term found in the text. A named tuple, not a frozen dataclass: detection makes
    ~30,000 a megabyte (terms, then `requires:` words per clause), and a frozen
    dataclass takes 0.75 µs to make, a named tuple 0.3 µs."""
    start: int       # the term itself, in normalised offsets
    end: int
    wstart: int      # the whole word(s), clitics included
    wend: int
    left: str        # proclitics found before the term
    payload: object

    @property
    def future(self) -> bool:
        """An Arabic verb written with the future prefix س (سيقصف)."""
        return self.left.endswith("س")


_new_hit = tuple.__new__
_START, _END = itemgetter(0), itemgetter(1)     # Hit.start, Hit.end


@dataclass(frozen=True)
class _Variant:
    term: str            # as matched (lower-cased)
    cased: str | None    # exact form, for case-sensitive English terms
    arabic: bool
    lefts: frozenset | None     # allowed proclitics; None = none at all
    rights: frozenset | None    # allowed suffixes; None = none at all
    payload: object


def _variants(term: str, payload, case: bool, clitics: bool) -> list[_Variant]:
    t = normalise_term(term)
    if not is_arabic(t):
        return [_Variant(t.lower(), t if case else None, False, None, None, payload)]
    if not clitics:
        return [_Variant(t, None, True, None, None, payload)]
    lefts = PROCLITICS_AL if t.startswith("ال") else PROCLITICS
    out = [_Variant(t, None, True, lefts, ENCLITICS, payload)]
    words = t.split(" ")
    if len(words) > 1 and not any(w.startswith("ال") for w in words):
        # Adjectives agree in definiteness: "ضربة جوية" is also "الضربة الجوية".
        definite = " ".join(words[:1] + ["ال" + w for w in words[1:]])
        out.append(_Variant(definite, None, True, frozenset(x for x in PROCLITICS if x.endswith(("ال", "لل"))),
                            ENCLITICS, payload))
    if t.startswith("ال"):
        # ل + ال is written لل: "للتحالف" holds التحالف as ل + لتحالف.
        out.append(_Variant("ل" + t[2:], None, True, frozenset(("ل", "ول", "فل")), ENCLITICS, payload))
    if len(words) > 1 and not any(w.endswith(("ة", "ا", "ى")) for w in words):
        # The accusative puts an alef on every word: "اشتباكاً كلامياً".
        out.append(_Variant(" ".join(w + "ا" for w in words), None, True, lefts, frozenset(("",)), payload))
    if t.endswith("ة"):
        # Outlets that drop the dots of ة do it in every word: "طائره مسيره تركيه".
        out.append(_Variant(t.replace("ة ", "ه ")[:-1] + "ه", None, True, lefts, frozenset(("",)), payload))
        # ة becomes ت before a suffix: دوريته, قواتها
        out.append(_Variant(t[:-1] + "ت", None, True, lefts, ENCLITICS - {""}, payload))
    return out


class Matcher:
    """Add terms with a payload each, `build()`, then `find()` in normalised text."""

    def __init__(self):
        self._auto = ahocorasick.Automaton()
        self._count = 0

    def add(self, term: str, payload, case: bool = False, clitics: bool = True) -> None:
        for v in _variants(term, payload, case, clitics):
            if not v.term:
                continue
            if v.term in self._auto:
                self._auto.get(v.term).append(v)
            else:
                self._auto.add_word(v.term, [v])
            self._count += 1

    def words(self) -> set:
        """Every plain English word of the terms added (what a masked "dr*nes" may stand for)."""
        return {w for key in self._auto.keys() for w in key.split() if w.isascii() and w.isalpha()}

    def build(self) -> "Matcher":
        if self._count:
            self._auto.make_automaton()
        return self

    def find(self, n: Normalised, lo: int = 0, hi: int | None = None) -> list[Hit]:
        """The hits lying wholly within lo..hi (their words may reach outside)."""
        if not self._count:
            return []
        text, low = n.text, n.lower
        size = len(low)
        hits = []
        ar_inside_left, ar_inside_right = _AR_NOT_PRO, _AR_NOT_ENC      # (locals: read per raw hit)
        for last, variants in self._auto.iter(low, lo, size if hi is None else hi):
            end = last + 1
            after = low[end] if end < size else " "
            for v in variants:
                start = end - len(v.term)
                # Cheap rejections first: most raw hits sit inside longer words.
                before = low[start - 1] if start else " "
                if v.arabic:
                    if before in ar_inside_left or after in ar_inside_right:
                        continue
                elif (before.isalnum() and before not in _AR) or (after.isalnum() and after not in _AR):
                    continue
                hit = _check(v, text, low, start, end)
                if hit:
                    hits.append(hit)
        # By start, then longest first (two stable sorts with C keys: the same order as the
        # key (start, -end), without a Python call per hit)
        hits.sort(key=_END, reverse=True)
        hits.sort(key=_START)
        return hits


class Lookup:
    """Terms wanted only inside given spans: the `requires:` and `unless:` words of
    triggers, which matter only in a trigger's clause and are too common ("قوات",
    "forces") to carry in the main matcher. A clause is scanned once for all of them
    (a find per term and clause was ~60 calls a text)."""

    def __init__(self):
        self._matcher = Matcher()
        self._keys: set = set()
        self._built = False

    def add(self, key: str, term: str) -> None:
        if key not in self._keys:
            self._keys.add(key)
            self._matcher.add(term, key)
            self._built = False

    def keys_in(self, n: Normalised, start: int, end: int) -> set:
        """The keys of the terms lying wholly within start..end of text `n`."""
        if not self._built:
            self._matcher.build()
            self._built = True
        return {h.payload for h in self._matcher.find(n, start, end)}


def _check(v: _Variant, text: str, low: str, start: int, end: int) -> Hit | None:
    if v.cased is not None and text[start:end] != v.cased:
        return None
    ws, we, size = start, end, len(low)
    if v.arabic:        # the word around the hit: Arabic letters, or (English) other letters and digits
        while ws > 0 and low[ws - 1] in _AR:
            ws -= 1
        while we < size and low[we] in _AR:
            we += 1
    else:
        while ws > 0 and low[ws - 1].isalnum() and low[ws - 1] not in _AR:
            ws -= 1
        while we < size and low[we].isalnum() and low[we] not in _AR:
            we += 1
    left, right = low[ws:start], low[end:we]
    if v.lefts is None:
        if left or right:
            return None
    elif left not in v.lefts or right not in v.rights:
        return None
    return _new_hit(Hit, (start, end, ws, we, left, v.payload))     # (Hit(...) is a Python call more)
