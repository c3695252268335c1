"""Cut normalised text into sentences and clauses, and index the hits of each clause.

Cues and actors only count inside the clause of a trigger (CODEBOOK rule 5's "لم يتوقف
التنسيق … لكنه تراجع" is two clauses with opposite modalities).
"""
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from .matcher import Hit
from .phrases import PhraseSet, Tokens
from .text import sentences


@dataclass
class Clause:
    start: int
    end: int
    sentence: tuple          # (start, end) of its sentence
    first: int = 0           # index of its first word
    last: int = -1           # index of its last word
    hits: list = field(default_factory=list)
    cache: dict = field(default_factory=dict)    # per-clause results shared by its triggers
    _of: dict | None = field(default=None, repr=False, compare=False)    # kind -> hits (`of`)

    def of(self, kind: str) -> list[Hit]:
        """The clause's hits of one kind, in order (a list shared by all who ask: never
        change it). All are sorted into kinds at the first ask: rules ask ~8 times a trigger."""
        if self._of is None:
            self._of = {}
            for h in self.hits:
                self._of.setdefault(h.payload[0], []).append(h)
        got = self._of.get(kind)
        if got is None:
            got = self._of[kind] = []
        return got


class Words:
    """Word positions of a text, to measure distances and find phrases near a hit."""

    def __init__(self, text: str, low: str):
        self.text = text
        self.tokens = Tokens(low, text)
        self.starts = self.tokens.starts
        self._inside: dict = {}
        # the party opening each sentence with an event, as roles finds them (roles.py):
        # {sentence span: Mention}
        self.openers: dict = {}

    def first(self, h: Hit) -> int:
        """Index of the first word of a hit (its clitics included)."""
        return bisect_right(self.starts, h.wstart) - 1

    def last(self, h: Hit) -> int:
        return bisect_left(self.starts, h.wend) - 1

    def between(self, a: Hit, b: Hit) -> int:
        """Words strictly between two hits (0 when adjacent), whatever their order."""
        first, second = (a, b) if a.start <= b.start else (b, a)
        return max(0, bisect_left(self.starts, second.wstart) - bisect_left(self.starts, first.wend))

    def punct_between(self, a: Hit, b: Hit) -> bool:
        """A comma or colon between two hits: a new phrase starts there. (Quotes do not:
        outlets quote names, «قسد».)"""
        first, second = (a, b) if a.start <= b.start else (b, a)
        return any(c in ",:" for c in self.text[first.end:second.start])

    def before(self, phrases: PhraseSet, h: Hit, gap: int, floor: int = 0) -> set:
        """Payloads of phrases ending at most `gap` words before hit `h` (not before word
        `floor`). Of phrases ending on the same word the longest wins: "used by X" is not
        "by X"."""
        w = self.first(h)
        longest: dict = {}
        for i, j, p in self.inside(phrases, floor, w - 1):
            if j < w - 1 - gap:
                continue
            if j not in longest or i < longest[j][0]:
                longest[j] = (i, {p})
            elif i == longest[j][0]:
                longest[j][1].add(p)
        return set().union(*(ps for _, ps in longest.values()))

    def after(self, phrases: PhraseSet, h: Hit, ceiling: int) -> set:
        """Payloads of phrases starting on the word right after hit `h`."""
        w = self.last(h)
        return {p for i, _, p in self.inside(phrases, w + 1, min(ceiling, w + phrases.longest)) if i == w + 1}

    def inside(self, phrases: PhraseSet, lo: int, hi: int) -> list[tuple[int, int, object]]:
        """(first, last, payload) of the phrases lying within words lo..hi (a list shared by
        all who ask the same: two in five asks repeat one, as rules look around the same
        words; never change it)."""
        key = (id(phrases), lo, hi)
        got = self._inside.get(key)
        if got is None:
            found, ends = self.tokens.occurrences(phrases)
            a, b = bisect_left(ends, lo), bisect_right(ends, hi)
            got = self._inside[key] = [f for f in found[a:b] if f[0] >= lo]
        return got


def split_clauses(text: str, hits: list[Hit], words: Words) -> list[Clause]:
    """Clauses end at sentence ends, at `;` and at terminator terms (لكن، بينما، but…)."""
    cuts = sorted(h.wstart for h in hits if h.payload[0] == "terminator")
    out = []
    for s, e in sentences(text):
        bounds = [s] + [c for c in cuts if s < c < e]
        i = text.find(";", s, e)
        while i != -1:
            bounds.append(i + 1)
            i = text.find(";", i + 1, e)
        bounds = sorted(set(bounds)) + [e]
        for a, b in zip(bounds, bounds[1:]):
            if b > a:
                out.append(Clause(a, b, (s, e), bisect_left(words.starts, a), bisect_left(words.starts, b) - 1))
    starts = [c.start for c in out]
    for h in hits:
        i = bisect_right(starts, h.start) - 1
        if i >= 0 and h.start < out[i].end:
            out[i].hits.append(h)
    return out
