"""Short context phrases (cues, role markers) looked up only next to the words that matter.

Negation words, prepositions and "and" are among the commonest words of any text; matching
them everywhere cost more than all other matching together. They only matter within a few
words of a trigger or an actor, so they are looked up there, by word n-grams.
"""
from functools import lru_cache

from .matcher import ENCLITICS, PROCLITICS
from .text import WORD, is_arabic, normalise_term

_MAX_PRO = max(map(len, PROCLITICS))
_SUFFIXES = sorted((e for e in ENCLITICS if e), key=len, reverse=True)


@lru_cache(maxsize=1 << 17)
def unsuffixed(word: str) -> str:
    """The word without a pronoun suffix ("تهديداتها" → "تهديدات", "نيته" → "نية")."""
    for e in _SUFFIXES:
        if word.endswith(e) and len(word) - len(e) >= 3:
            stem = word[:-len(e)]
            return stem[:-1] + "ة" if stem.endswith("ت") and not stem.endswith("ات") else stem
    return word


@lru_cache(maxsize=1 << 17)     # news vocabulary repeats; the cache turns this into a lookup
def bare(word: str) -> str:
    """The word without its longest proclitic string ("ولم" → "لم"), keeping 2+ letters."""
    for k in range(min(_MAX_PRO, len(word) - 2), 0, -1):
        if word[:k] in PROCLITICS:
            return word[k:]
    return word


class Tokens:
    """The words of a normalised, lower-cased text, with their offsets."""

    def __init__(self, low: str, cased: str):
        spans = [(m.start(), m.end()) for m in WORD.finditer(low)]
        self.starts = [s for s, _ in spans]
        self.ends = [e for _, e in spans]
        self.words = [low[s:e] for s, e in spans]
        self.cased = [cased[s:e] for s, e in spans]
        self.bare = [bare(w) for w in self.words]
        self.stem = [unsuffixed(b) for b in self.bare]
        self._found: dict = {}

    def __len__(self):
        return len(self.words)

    def occurrences(self, phrases: "PhraseSet") -> tuple[list, list]:
        """(first word, last word, payload) of every phrase of the set in the text, sorted
        by last word, and the list of those last words (to bisect)."""
        key = id(phrases)
        if key not in self._found:
            lasts = phrases.lasts
            ends = [j for j, (w, b, t) in enumerate(zip(self.words, self.bare, self.stem))
                    if w in lasts or b in lasts or t in lasts]
            found = [(i, j, p) for j in ends for i, p in phrases.ending_at(self, j)]
            self._found[key] = (found, [j for _, j, _ in found])
        return self._found[key]


class PhraseSet:
    """Phrases (one or more words) → payloads; Arabic phrases tolerate proclitics."""

    def __init__(self):
        self._map: dict[tuple, list] = {}
        self._cased: dict[tuple, list] = {}    # case-sensitive phrases ("May" is a month)
        self.lasts: set = set()     # last words of the phrases: a cheap first filter
        self.longest = 0

    def add(self, phrase: str, payload, case: bool = False) -> None:
        words = tuple(WORD.findall(normalise_term(phrase).lower()))
        if words and case:
            self._cased.setdefault(tuple(WORD.findall(normalise_term(phrase))), []).append(payload)
        elif words:
            self._map.setdefault(words, []).append((payload, is_arabic(phrase)))
        if words:
            self.lasts.add(words[-1])
            self.longest = max(self.longest, len(words))

    def __bool__(self):
        return bool(self._map)

    def ending_at(self, tokens: Tokens, j: int) -> list[tuple[int, object]]:
        """(first word index, payload) of every phrase whose last word is tokens[j]."""
        out = []
        for n in range(1, min(self.longest, j + 1) + 1):
            i = j - n + 1
            words = tokens.words[i:j + 1]
            for payload in self._lookup(words):
                out.append((i, payload))
            if self._cased:
                out += [(i, p) for p in self._cased.get(tuple(tokens.cased[i:j + 1]), ())]
        return out

    def _lookup(self, words: list) -> list:
        """Exact words first; Arabic phrases also with a proclitic on their first word and
        a pronoun suffix on their last ("وتهديداتها" holds تهديدات)."""
        found = [p for p, _ in self._map.get(tuple(words), ())]
        first, last = bare(words[0]), unsuffixed(words[-1])
        forms = {(first, *words[1:]), (*words[:-1], last)} if len(words) > 1 else {(first,), (unsuffixed(first),)}
        if len(words) > 1:
            forms.add((first, *words[1:-1], last))
        for form in forms - {tuple(words)}:
            found += [p for p, ar in self._map.get(form, ()) if ar]
        return found
