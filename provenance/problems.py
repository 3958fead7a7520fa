"""What a reader could not read, said so that a user can find and fix it.

Readers of containers (a WARC, a feed) keep going past a bad record and collect
a ``Problem`` for it; the ingest summary lists them and the exit code says so.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing skipped: ``where`` names the file (and record), ``reason`` says why."""

    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"
