"""The search index: word shingles for containment, MinHash for near-duplicates.

A quotation is a small part of a long document, so whole-document MinHash
cannot find it. Every run of ``SHINGLE_WORDS`` normalised words is hashed and
posted (hash -> document); a 10-word quotation with two words changed still
keeps three consecutive words somewhere (8 unchanged words in at most three
runs), so it always shares at least one shingle with its source. MinHash
signatures with LSH bands find near-duplicate documents (syndicated copies).

Hashing is vectorised: each distinct word is hashed once (blake2b, cached),
and the hash of every 3-word run is a polynomial of its word hashes mixed by
the MurmurHash3 finalizer, computed for a whole document at once in numpy.
Postings keep 32 bits of it: a chance collision only adds a candidate that
alignment then rejects, and 4-byte keys keep the index small. The MinHash
applies datasketch's own affine32 permutations to those 32-bit hashes, so
the signatures equal datasketch's (``datasketch.MinHash(hashfunc=identity)``).

The parameters are stored with the index; opening an index built with other
parameters is refused, because its hashes would silently never match.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import version
from typing import Any, Protocol

import numpy as np

from .model import ProvenanceError
from .normalize import WORD_RE, Word, normalize_word

SHINGLE_WORDS = 3
NUM_PERM = 128
SEED = 1
SCHEME = "affine32"
BANDS = 16  # 16 bands of 8 rows: documents with Jaccard >= ~0.7 meet in a bucket

PARAMS = {
    "shingle": f"words:{SHINGLE_WORDS}:blake2b64-words:poly-fmix64:low32",
    "minhash": f"num_perm={NUM_PERM};seed={SEED};scheme={SCHEME};bands={BANDS};values=u32",
    "datasketch": version("datasketch").split(".")[0],
}

_POLY = np.uint64(0x9E3779B97F4A7C15)  # odd: the word-hash polynomial is order-sensitive
_FMIX64 = (np.uint64(33), np.uint64(0xFF51AFD7ED558CCD), np.uint64(0xC4CEB9FE1A85EC53))
_FMIX32 = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35))


class ParamStore(Protocol):
    path: str

    def index_params(self) -> dict[str, str]: ...
    def save_index_params(self, params: dict[str, str]) -> None: ...


def check_params(store: ParamStore) -> None:
    """Record the index parameters in a new index; refuse a mismatch."""
    stored = store.index_params()
    if not stored:
        store.save_index_params(PARAMS)
        return
    for name, value in PARAMS.items():
        if stored.get(name) != value:
            raise ProvenanceError(
                f"{store.path}: index built with {name}={stored.get(name)!r}, this version "
                f"uses {value!r}; rebuild the index into a new database (provenance ingest NEW.db ...)"
            )


# -- shingles -----------------------------------------------------------------


@lru_cache(maxsize=1 << 20)
def _normalize(raw: str) -> str:
    return normalize_word(raw)


_WORD_HASHES: dict[str, int] = {}


def _word_hashes(norm_words: Sequence[str]) -> np.ndarray:
    """blake2b-64 of each word; a word's hash is computed once per process."""
    cache = _WORD_HASHES
    try:
        return np.fromiter(map(cache.__getitem__, norm_words), dtype=np.uint64, count=len(norm_words))
    except KeyError:
        if len(cache) > 2_000_000:  # bound the memory of a long run
            cache.clear()
        for word in set(norm_words).difference(cache):
            digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
            cache[word] = int.from_bytes(digest, "little")
        return np.fromiter(map(cache.__getitem__, norm_words), dtype=np.uint64, count=len(norm_words))


def norms(text: str) -> list[str]:
    """The normalised words of ``text``: ``[w.norm for w in normalize.words(text)]``, faster
    (an ASCII word only needs lower case)."""
    if text.isascii() and "''" not in text:
        return _ascii_norms(text)
    raw = WORD_RE.findall(text)
    if not raw:
        return []
    joined = " ".join(raw)  # words hold no spaces: case-fold them all in one call
    lowered = joined.lower().split(" ")
    if joined.isascii():
        return lowered
    return [low if word.isascii() else _normalize(word) for word, low in zip(raw, lowered, strict=True)]


# a byte table: ASCII letters lower-cased, digits and apostrophes kept, all else a space
_ASCII_WORD_BYTES = bytes(
    ord(char.lower()) if char.isalnum() or char == "'" else ord(" ") for char in map(chr, range(128))
) + b" " * 128


def _ascii_norms(text: str) -> list[str]:
    """``norms`` of an ASCII text without two apostrophes in a row: a word is a run of
    letters, digits and apostrophes without its outer apostrophes (WORD_RE's inner
    apostrophes), found by one byte translation instead of a regular expression."""
    spaced = " " + text.encode("ascii").translate(_ASCII_WORD_BYTES).decode("ascii") + " "
    return spaced.replace(" '", "  ").replace("' ", "  ").split()


def _fmix64(values: np.ndarray) -> np.ndarray:
    shift, first, second = _FMIX64
    values = values ^ (values >> shift)
    values = values * first
    values = values ^ (values >> shift)
    values = values * second
    return values ^ (values >> shift)


def shingle_array(norm_words: Sequence[str]) -> np.ndarray:
    """The 32-bit hash (as int64, signed range) of the shingle at every word position."""
    count = len(norm_words) - SHINGLE_WORDS + 1
    if count <= 0:
        return np.zeros(0, dtype=np.int64)
    word_hashes = _word_hashes(norm_words)
    with np.errstate(over="ignore"):
        mixed = word_hashes[:count].copy()
        for offset in range(1, SHINGLE_WORDS):
            mixed = mixed * _POLY + word_hashes[offset : offset + count]
        low = _fmix64(mixed).astype(np.uint32)
    return low.view(np.int32).astype(np.int64)


def shingles(words: Sequence[Word]) -> list[int]:
    """The hash of the shingle starting at every word position (shorter texts: none)."""
    return shingle_array([word.norm for word in words]).tolist()


# -- MinHash and LSH bands ------------------------------------------------------


@lru_cache(maxsize=1)
def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine32 permutations for NUM_PERM and SEED, drawn as it draws them."""
    # datasketch's MinHash._init_permutations for "affine32", drawn here because importing
    # datasketch (scipy) took each reader process about 0.4 s; a test compares the two
    generator = np.random.RandomState(SEED)
    a = generator.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = generator.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a, b


def minhash_values(hashes: np.ndarray) -> np.ndarray:
    """MinHash of a set of 32-bit shingle hashes: equal to datasketch's with an identity hash."""
    a, b = _permutations()
    values = hashes.astype(np.int64).astype(np.uint32)
    shift1, mult1, shift2, mult2 = _FMIX32
    with np.errstate(over="ignore"):
        values = values ^ (values >> shift1)
        values = values * mult1
        values = values ^ (values >> shift2)
        values = values * mult2
        values = values ^ (values >> shift1)
        permuted = a[:, None] * values[None, :]  # one row per permutation: min along rows
        permuted += b[:, None]
    return permuted.min(axis=1)


with np.errstate(over="ignore"):
    _BAND_POWERS = _POLY ** np.arange(NUM_PERM // BANDS, -1, -1, dtype=np.uint64)  # P^8 ... P^0


def band_buckets(values: np.ndarray) -> list[int]:
    """One bucket key per band of the signature (signed 64-bit)."""
    rows = values.astype(np.uint64).reshape(BANDS, NUM_PERM // BANDS)
    # band * P^8 + row[0] * P^7 + ... + row[7], modulo 2^64: one product, not 8 steps
    with np.errstate(over="ignore"):
        mixed = np.arange(BANDS, dtype=np.uint64) * _BAND_POWERS[0] + rows @ _BAND_POWERS[1:]
        return _fmix64(mixed).view(np.int64).tolist()


def signature_bytes(values: np.ndarray) -> bytes:
    return np.asarray(values, dtype="<u4").tobytes()


def jaccard(signature_a: bytes, signature_b: bytes) -> float:
    a = np.frombuffer(signature_a, dtype="<u4")
    b = np.frombuffer(signature_b, dtype="<u4")
    return float(np.mean(a == b))


# -- documents ------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """What the index stores for one text; computed without the database, so in any
    process (ingest's reader processes compute it)."""

    word_count: int
    hashes: np.ndarray  # distinct shingle hashes, sorted (int64); empty for a short text
    signature: bytes  # b"" for a text too short to have a shingle
    buckets: tuple[int, ...]


def distinct(ordered: np.ndarray) -> np.ndarray:
    """The distinct values of a sorted array: ``np.unique`` without its overhead (of a
    small array, in a quarter of the time)."""
    return ordered[np.concatenate([[True], ordered[1:] != ordered[:-1]])] if len(ordered) else ordered


def entry_of_words(norm_words: Sequence[str]) -> Entry:
    hashes = distinct(np.sort(shingle_array(norm_words)))
    if not len(hashes):  # an empty MinHash would put every empty document in one bucket
        return Entry(len(norm_words), hashes, b"", ())
    values = minhash_values(hashes)
    return Entry(len(norm_words), hashes, signature_bytes(values), tuple(band_buckets(values)))


def entry_of_text(text: str) -> Entry:
    return entry_of_words(norms(text))


def entry(words: Sequence[Word]) -> Entry:
    return entry_of_words([word.norm for word in words])


class IndexStore(ParamStore, Protocol):
    def add_postings(self, key: int, shingles: Sequence[int] | np.ndarray, signature: bytes,
                     buckets: Sequence[int]) -> None: ...
    def mark_indexed(self, key: int) -> None: ...
    def lsh_candidates(self, buckets: Sequence[int]) -> set[int]: ...
    def signatures(self, keys: Any) -> dict[int, bytes]: ...


def index_document(store: IndexStore, key: int, words: Sequence[Word], *, mark: bool = True) -> None:
    add_entry(store, key, entry(words), mark=mark)


def add_entry(store: IndexStore, key: int, prepared: Entry, *, mark: bool = True) -> None:
    """Store an index entry computed ahead (by ``entry``, perhaps in another process);
    ``mark=False`` when the document's row was written as indexed in this transaction."""
    if len(prepared.hashes):
        store.add_postings(key, prepared.hashes, prepared.signature, list(prepared.buckets))
    if mark:
        store.mark_indexed(key)


def near_duplicates(
    store: IndexStore, words: Sequence[Word], *, threshold: float = 0.8
) -> list[tuple[int, float]]:
    """Indexed documents whose shingle sets are nearly the same as these words'."""
    prepared = entry(words)
    if not prepared.signature:
        return []
    candidates = store.lsh_candidates(prepared.buckets)
    scored = [
        (key, jaccard(prepared.signature, other))
        for key, other in store.signatures(candidates).items()
    ]
    return sorted(
        ((key, score) for key, score in scored if score >= threshold), key=lambda ks: -ks[1]
    )
