"""Short context phrases (cues, role markers) looked up only next to the words that matter.

Negation words, prepositions and "and" are among the commonest words of any text; matching
them everywhere cost more than all other matching together. They only matter within a few
words of a trigger or an actor, so they are looked up there, by word n-grams.
"""
import re
from functools import cached_property, lru_cache
from itertools import compress

from .matcher import ENCLITICS, PROCLITICS
from .text import WORD, is_arabic, normalise_term

_MAX_PRO = max(map(len, PROCLITICS))
_START, _END, _GROUP = re.Match.start, re.Match.end, re.Match.group
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
        # (map with the unbound methods: no Python frame a word)
        self.starts = list(map(_START, found))
        self.ends = list(map(_END, found))
        self.words = list(map(_GROUP, found))
        self._text = cased
        self._found: dict = {}

    # The forms of the words are read at a few positions only (phrase matching has them
    # per word, `PhraseSet._candidates`): made at each position asked.
    @cached_property
    def bare(self) -> "_Forms":
        """Each word without its proclitics."""
        return _Forms(self.words, 0)

    @cached_property
    def stem(self) -> "_Forms":
        """Each word without its proclitics and pronoun suffix."""
        return _Forms(self.words, 1)

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
            # What may end on a word depends on the word alone (its forms): the set keeps
            # that per word, so a text costs one dict lookup a word, and only phrases of
            # two words or more, or case-sensitive ones, are checked against their neighbours.
            # (the lookups and the skipping of the nine words in ten that end no phrase run
            # in C: map, compress)
            words = self.words
            at = list(map(phrases._at_word.get, words))
            if None in at:      # words not seen before
                for j, cands in enumerate(at):
                    if cands is None:
                        at[j] = phrases._candidates(words[j])
            found = []
            for j in compress(range(len(at)), at):
                for first, mid, payload, arabic, cased in at[j]:
                    if first is None:
                        if cased is None:       # a one-word phrase, known to match the word
                            found.append((j, j, payload))
                        else:
                            i = j - len(cased) + 1
                            if i >= 0 and self.cased(i, j) == cased:
                                found.append((i, j, payload))
                        continue
                    # a phrase of several words, its last already matched: its first word
                    # may carry proclitics (Arabic), the words between are as written
                    i = j - len(mid) - 1
                    if i < 0:
                        continue
                    t = words[i]
                    if t != first and not (arabic and _forms(t)[0] == first):
                        continue
                    if mid and words[i + 1:j] != mid:
                        continue
                    found.append((i, j, payload))
            self._found[key] = (found, [j for _, j, _ in found])
        return self._found[key]


class _Forms:
    """One form of each word (`_forms`: 0 bare, 1 stem), read like a list of them."""

    def __init__(self, words: list, k: int):
        self._words, self._k = words, k

    def __len__(self):
        return len(self._words)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [_forms(w)[self._k] for w in self._words[i]]
        return _forms(self._words[i])[self._k]


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
        self.longest = 0
        self._at_word: dict = {}     # word -> what may end on it (`_candidates`)

    def add(self, phrase: str, payload, case: bool = False) -> None:
        norm = normalise_term(phrase)
        words = tuple(WORD.findall(norm if case else norm.lower()))
        if not words:
            return
        entry = (words, payload, is_arabic(phrase), case)
        self._by_last.setdefault(words[-1].lower(), []).append(entry)
        self.longest = max(self.longest, len(words))
        self._at_word.clear()

    def __bool__(self):
        return bool(self._by_last)

    def _candidates(self, word: str) -> tuple:
        """The phrases that may end on `word`, in the order they are found there, as
        (first word, words between, payload, arabic, case-sensitive words). All `_same`
        reads of the last word are forms of the word itself, so they are made here once:
        a one-word phrase (first None) matches already; of one of several words, only the
        first word and those between remain to check in the text. (Case-sensitive ones,
        first None, compare the words as written.) Cached per word (cleared past 65,536)."""
        b, stem = _forms(word)
        # the accusative alef on an Arabic noun: "نقاطاً" is نقاط
        acc = stem[:-1] if self.accusative and stem.endswith("ا") and len(stem) > 3 else None
        out = []
        seen = set()
        for key in (word, b, stem, acc):
            if key is None:
                continue
            if key in seen:
                continue
            seen.add(key)
            for words, payload, arabic, case in self._by_last.get(key, ()):
                if case:
                    out.append((None, None, payload, arabic, words))
                elif len(words) == 1:
                    if _same_word(words[0], word, b, stem, arabic, self.accusative):
                        out.append((None, None, payload, arabic, None))
                elif _same_last(words[-1], word, stem, arabic, self.accusative):
                    out.append((words[0], list(words[1:-1]), payload, arabic, None))
        if len(self._at_word) >= 1 << 16:
            self._at_word.clear()
        cands = self._at_word[word] = tuple(out)
        return cands


def _same_word(w: str, t: str, bare_t: str, stem_t: str, arabic: bool, accusative: bool) -> bool:
    """`_same` for a one-word phrase `w` on word `t` (its forms bare_t, stem_t)."""
    if t == w:
        return True
    if not arabic:
        return False
    return bare_t == w or stem_t == w or (accusative and stem_t == w + "ا") or unsuffixed(t) == w


def _same_last(w: str, t: str, stem_t: str, arabic: bool, accusative: bool) -> bool:
    """`_same` for the last word `w` of a phrase of several words, on word `t`."""
    if t == w:
        return True
    if not arabic:
        return False
    return stem_t == w or (accusative and stem_t == w + "ا")
