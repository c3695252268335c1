"""Cut normalised text into sentences and clauses, and index the hits of each clause.

Cues and actors only count inside the clause of a trigger (CODEBOOK rule 5's "لم يتوقف
التنسيق … لكنه تراجع" is two clauses with opposite modalities).
"""
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from .matcher import Hit
from .text import sentences, word_starts


@dataclass
class Clause:
    start: int
    end: int
    sentence: tuple          # (start, end) of its sentence
    hits: list = field(default_factory=list)

    def of(self, kind: str) -> list[Hit]:
        return [h for h in self.hits if h.payload[0] == kind]


class Words:
    """Word positions of a text, to measure distances in words."""

    def __init__(self, text: str):
        self.text = text
        self.starts = word_starts(text)

    def punct_between(self, a: Hit, b: Hit) -> bool:
        """A comma, colon or quote between two hits: a new phrase starts there."""
        first, second = (a, b) if a.start <= b.start else (b, a)
        return any(c in ',:"' for c in self.text[first.end:second.start])

    def index(self, offset: int) -> int:
        """Index of the word that contains (or follows) `offset`."""
        return bisect_right(self.starts, offset) - 1

    def between(self, a: Hit, b: Hit) -> int:
        """Words strictly between two hits (0 when adjacent), whatever their order."""
        first, second = (a, b) if a.start <= b.start else (b, a)
        return max(0, bisect_left(self.starts, second.wstart) - bisect_left(self.starts, first.wend))


def split_clauses(text: str, hits: list[Hit]) -> list[Clause]:
    """Clauses end at sentence ends, at `;` and at terminator terms (لكن، بينما، but…)."""
    cuts = sorted(h.wstart for h in hits if h.payload[0] == "terminator")
    out = []
    for s, e in sentences(text):
        bounds = [s] + [c for c in cuts if s < c < e]
        bounds += [i + 1 for i in range(s, e) if text[i] == ";"]
        bounds = sorted(set(bounds)) + [e]
        for a, b in zip(bounds, bounds[1:]):
            if b > a:
                out.append(Clause(a, b, (s, e)))
    starts = [c.start for c in out]
    for h in hits:
        i = bisect_right(starts, h.start) - 1
        if i >= 0 and h.start < out[i].end:
            out[i].hits.append(h)
    return out
