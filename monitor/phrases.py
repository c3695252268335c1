"""Short context phrases (cues, role markers) looked up only next to the words that matter.

Negation words, prepositions and "and" are among the commonest words of any text; matching
them everywhere cost more than all other matching together. They only matter within a few
words of a trigger or an actor, so they are looked up there, by word n-grams.
"""
from functools import lru_cache

from .matcher import ENCLITICS, PROCLITICS
from .text import WORD, is_arabic, normalise_term

_MAX_PRO = max(map(len, PROCLITICS))
# Pronoun suffixes only: the accusative alef the matcher accepts would turn "بعدما" into
# "عدم" ("lack of"), a denial cue.
_SUFFIXES = sorted((e for e in ENCLITICS if e and e != "ا"), key=len, reverse=True)


@lru_cache(maxsize=1 << 17)
def unsuffixed(word: str) -> str:
    """The word without a pronoun suffix ("تهديداتها" → "تهديدات", "نيته" → "نية")."""
    for e in _SUFFIXES:
        if word.endswith(e) and len(word) - len(e) >= 3:
            stem = word[:-len(e)]
            return stem[:-1] + "ة" if stem.endswith("ت") and not stem.endswith("ات") else stem
    return word


@lru_cache(maxsize=1 << 17)     # news vocabulary repeats; the cache turns this into a lookup
def _forms(word: str) -> tuple[str, str]:
    """The word without its proclitics, and that without its pronoun suffix."""
    b = bare(word)
    return b, unsuffixed(b)


@lru_cache(maxsize=1 << 17)
def bare(word: str) -> str:
    """The word without its longest proclitic string ("ولم" → "لم"), keeping 2+ letters."""
    for k in range(min(_MAX_PRO, len(word) - 2), 0, -1):
        if word[:k] in PROCLITICS:
            return word[k:]
    return word


class Tokens:
    """The words of a normalised, lower-cased text, with their offsets."""

    def __init__(self, low: str, cased: str):
        found = list(WORD.finditer(low))
        self.starts = [m.start() for m in found]
        self.ends = [m.end() for m in found]
        self.words = [m.group() for m in found]
        self._text = cased
        forms = list(map(_forms, self.words))
        self.bare = [f[0] for f in forms]
        self.stem = [f[1] for f in forms]
        self._found: dict = {}
        self._at: dict | None = None
        self._at_accusative: dict | None = None

    def cased(self, i: int, j: int) -> tuple:
        """Words i..j as written (only case-sensitive phrases need them)."""
        return tuple(self._text[self.starts[k]:self.ends[k]] for k in range(i, j + 1))

    def __len__(self):
        return len(self.words)

    def occurrences(self, phrases: "PhraseSet") -> tuple[list, list]:
        """(first word, last word, payload) of every phrase of the set in the text, sorted
        by last word, and the list of those last words (to bisect)."""
        key = id(phrases)
        if key not in self._found:
            lasts = phrases.lasts
            at = self._positions()
            ends = {j for k in at.keys() & lasts for j in at[k]}
            if phrases.accusative:
                acc = self._accusatives()
                ends.update(j for k in acc.keys() & lasts for j in acc[k])
            found = [(i, j, p) for j in sorted(ends) for i, p in phrases.ending_at(self, j)]
            self._found[key] = (found, [j for _, j, _ in found])
        return self._found[key]

    def _positions(self) -> dict:
        """Each form of the words (as written, without proclitics, without suffix) → where
        it stands: a phrase set then finds its last words by one set intersection instead
        of a pass over the text."""
        if self._at is None:
            at: dict = {}
            for j, (w, b, t) in enumerate(zip(self.words, self.bare, self.stem)):
                at.setdefault(w, []).append(j)
                if b != w:
                    at.setdefault(b, []).append(j)
                if t != b and t != w:
                    at.setdefault(t, []).append(j)
            self._at = at
        return self._at

    def _accusatives(self) -> dict:
        """Stems with the accusative alef, without it ("نقاطا" → نقاط) → where they stand."""
        if self._at_accusative is None:
            acc: dict = {}
            for j, t in enumerate(self.stem):
                if t.endswith("ا"):
                    acc.setdefault(t[:-1], []).append(j)
            self._at_accusative = acc
        return self._at_accusative


class PhraseSet:
    """Phrases (one or more words) → payloads. Arabic phrases tolerate a proclitic on their
    first word and a pronoun suffix on their last ("وتهديداتها" holds تهديدات)."""

    def __init__(self, accusative: bool = False):
        # Role markers are nouns that take the accusative alef ("نقاطاً لقسد"); cues are not,
        # and "بعدما" must not read as "عدم" + alef.
        self.accusative = accusative
        # last word → [(all words, payload, arabic, case-sensitive)]: a position is checked
        # only against the phrases that can end there.
        self._by_last: dict[str, list] = {}
        self.lasts: set = set()
        self.longest = 0

    def add(self, phrase: str, payload, case: bool = False) -> None:
        norm = normalise_term(phrase)
        words = tuple(WORD.findall(norm if case else norm.lower()))
        if not words:
            return
        entry = (words, payload, is_arabic(phrase), case)
        self._by_last.setdefault(words[-1].lower(), []).append(entry)
        self.lasts.add(words[-1].lower())
        self.longest = max(self.longest, len(words))

    def __bool__(self):
        return bool(self._by_last)

    def ending_at(self, tokens: Tokens, j: int) -> list[tuple[int, object]]:
        """(first word index, payload) of every phrase whose last word is tokens[j]."""
        out = []
        seen = set()
        stem = tokens.stem[j]
        # the accusative alef on an Arabic noun: "نقاطاً" is نقاط
        acc = stem[:-1] if self.accusative and stem.endswith("ا") and len(stem) > 3 else None
        for key in (tokens.words[j], tokens.bare[j], stem, acc):
            if key is None:
                continue
            if key in seen:
                continue
            seen.add(key)
            for words, payload, arabic, case in self._by_last.get(key, ()):
                n = len(words)
                i = j - n + 1
                if i < 0:
                    continue
                if case:
                    if tokens.cased(i, j) == words:
                        out.append((i, payload))
                elif _same(words, tokens, i, j, arabic, self.accusative):
                    out.append((i, payload))
        return out


def _same(words: tuple, tokens: Tokens, i: int, j: int, arabic: bool, accusative: bool) -> bool:
    n = len(words)
    for k, w in enumerate(words):
        t = tokens.words[i + k]
        if t == w:
            continue
        if not arabic:
            return False
        if k == 0 and tokens.bare[i] == w:
            continue
        if k == n - 1 and (tokens.stem[j] == w or (accusative and tokens.stem[j] == w + "ا")
                           or (n == 1 and unsuffixed(t) == w)):
            continue
        return False
    return True
