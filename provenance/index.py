"""The search index: word shingles for containment, MinHash for near-duplicates.

A quotation is a small part of a long document, so whole-document MinHash
cannot find it. Every run of ``SHINGLE_WORDS`` normalised words is hashed and
posted (hash -> document); a 10-word quotation with two words changed still
keeps three consecutive words somewhere (8 unchanged words in at most three
runs), so it always shares at least one shingle with its source. MinHash
signatures with LSH bands find near-duplicate documents (syndicated copies).

The parameters are stored with the index; opening an index built with other
parameters is refused, because its hashes would silently never match.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import datasketch
import numpy as np

from .model import ProvenanceError
from .normalize import Word
from .store import Store

SHINGLE_WORDS = 3
NUM_PERM = 128
SEED = 1
SCHEME = "affine32"
BANDS = 16  # 16 bands of 8 rows: documents with Jaccard >= ~0.7 meet in a bucket

PARAMS = {
    "shingle": f"words:{SHINGLE_WORDS}:blake2b64",
    "minhash": f"num_perm={NUM_PERM};seed={SEED};scheme={SCHEME};bands={BANDS}",
    "datasketch": datasketch.__version__.split(".")[0],
}


def check_params(store: Store) -> None:
    """Record the index parameters in a new database; refuse a mismatch."""
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


def shingle_hash(words: Sequence[str]) -> int:
    digest = hashlib.blake2b(" ".join(words).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def shingles(words: Sequence[Word]) -> list[int]:
    """The hash of the shingle starting at every word position (shorter texts: none)."""
    norms = [word.norm for word in words]
    return [
        shingle_hash(norms[i : i + SHINGLE_WORDS])
        for i in range(len(norms) - SHINGLE_WORDS + 1)
    ]


def minhash(hashes: Sequence[int]) -> datasketch.MinHash:
    sketch = datasketch.MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME)
    sketch.update_batch([h.to_bytes(8, "big", signed=True) for h in set(hashes)])
    return sketch


def signature_bytes(sketch: datasketch.MinHash) -> bytes:
    return np.asarray(sketch.hashvalues, dtype="<u8").tobytes()


def band_buckets(sketch: datasketch.MinHash) -> list[int]:
    rows = NUM_PERM // BANDS
    values = np.asarray(sketch.hashvalues, dtype="<u8")
    return [
        int.from_bytes(
            hashlib.blake2b(values[b * rows : (b + 1) * rows].tobytes(), digest_size=8).digest(),
            "big",
            signed=True,
        )
        for b in range(BANDS)
    ]


def jaccard(signature_a: bytes, signature_b: bytes) -> float:
    a = np.frombuffer(signature_a, dtype="<u8")
    b = np.frombuffer(signature_b, dtype="<u8")
    return float(np.mean(a == b))


@dataclass(frozen=True)
class Entry:
    """What the index stores for one text; computed without the database, so in any process."""

    word_count: int
    hashes: frozenset[int]
    signature: bytes
    buckets: tuple[int, ...]


def entry(words: Sequence[Word]) -> Entry:
    hashes = shingles(words)
    if not hashes:  # an empty MinHash would put every empty document in one bucket
        return Entry(len(words), frozenset(), b"", ())
    sketch = minhash(hashes)
    return Entry(len(words), frozenset(hashes), signature_bytes(sketch), tuple(band_buckets(sketch)))


def index_document(store: Store, key: int, words: Sequence[Word]) -> None:
    add_entry(store, key, entry(words))


def add_entry(store: Store, key: int, prepared: Entry) -> None:
    """Store an index entry computed ahead (by ``entry``, perhaps in another process)."""
    if prepared.hashes:
        store.add_postings(key, set(prepared.hashes), prepared.signature, list(prepared.buckets))
    store.mark_indexed(key)


def near_duplicates(
    store: Store, words: Sequence[Word], *, threshold: float = 0.8
) -> list[tuple[int, float]]:
    """Indexed documents whose shingle sets are nearly the same as these words'."""
    hashes = shingles(words)
    if not hashes:
        return []
    sketch = minhash(hashes)
    signature = signature_bytes(sketch)
    candidates = store.lsh_candidates(band_buckets(sketch))
    scored = [
        (key, jaccard(signature, other))
        for key, other in store.signatures(candidates).items()
    ]
    return sorted(
        ((key, score) for key, score in scored if score >= threshold), key=lambda ks: -ks[1]
    )
