"""Near-duplicate fingerprints: MinHash over word shingles, banded for LSH lookups.

Two articles are near duplicates when the Jaccard similarity of their 3-word shingle
sets reaches `NEAR_DUPLICATE_JACCARD`. MinHash estimates that similarity from 128
hash values; cutting the values into 32 bands of 4 turns "similar" into "shares a
band": a pair at Jaccard 0.6 shares at least one band with probability 0.99, at 0.5
with 0.87, at 0.2 with 0.05, so the store compares a new article with few candidates.
The settings were measured on copies of real articles (docs/benchmarks.md): wire
rewrites that change one word in twenty fall to a Jaccard of about 0.6 on 5-word
shingles, so short shingles and a 0.5 threshold are needed to catch them, and no pair
of different stories in that set came near it.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np
from datasketch import MinHash

NUM_PERM = 128
BANDS, ROWS = 32, 4
SHINGLE_WORDS = 3
NEAR_DUPLICATE_JACCARD = 0.5  # measured: docs/benchmarks.md, "Near-duplicate detection"
MIN_WORDS = 30  # shorter texts are too small to call copies of each other

_TOKEN = re.compile(r"\w+")
_SEED = 1  # fixed, so signatures stored by one process compare with another's


def shingles(text: str) -> set[bytes]:
    words = _TOKEN.findall(text.casefold())
    return {" ".join(words[i : i + SHINGLE_WORDS]).encode() for i in range(len(words) - SHINGLE_WORDS + 1)}


def signature(text: str) -> np.ndarray | None:
    """The MinHash signature of `text`, or None when it is too short to compare."""
    if len(_TOKEN.findall(text)) < MIN_WORDS:
        return None
    minhash = MinHash(num_perm=NUM_PERM, seed=_SEED)
    minhash.update_batch(list(shingles(text)))
    return minhash.hashvalues.copy()


def band_keys(values: np.ndarray) -> list[tuple[int, int]]:
    """(band, bucket) pairs; articles sharing any pair are near-duplicate candidates."""
    keys = []
    for band in range(BANDS):
        chunk = values[band * ROWS : (band + 1) * ROWS].tobytes()
        bucket = int.from_bytes(hashlib.blake2b(chunk, digest_size=8).digest(), "big", signed=True)
        keys.append((band, bucket))
    return keys


def to_bytes(values: np.ndarray) -> bytes:
    return values.astype("<u4").tobytes()


def from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype="<u4")


def estimated_jaccard(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.count_nonzero(a == b)) / len(a)
