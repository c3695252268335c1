"""The same story on several sites: bottom-k sketches of word shingles.

Reprints (SOHR republishing Al-Modon with an "المصدر: المدن" line) and near-duplicate
wire copy share most of their 4-word shingles; unrelated articles share almost none.
"""
import zlib

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
