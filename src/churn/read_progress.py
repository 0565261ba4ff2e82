"""Batch scoring's progress bar over a CSV: its row count estimated from its size and its first
block, so that the bar shows a share done and a time left, as it does for Parquet."""

from __future__ import annotations

import os

from fsspec.utils import infer_compression

SAMPLE_BYTES = 1 << 20  # the first block, whose lines give the mean line length


def estimated_rows(handle, path: str) -> int | None:
    """A plain CSV's rows estimated from its size over the mean length of the lines in its first
    MiB, the header aside (counted when the file fits in that); None for a compressed file, whose
    size says little of its lines. The handle is left at the file's start."""
    if infer_compression(path):
        return None
    size = handle.seek(0, os.SEEK_END)
    handle.seek(0)
    sample = handle.read(SAMPLE_BYTES)
    handle.seek(0)
    lines = sample.count(b"\n") + (bool(sample) and not sample.endswith(b"\n"))
    if len(sample) >= size:
        return max(lines - 1, 0)
    return max(round(size * lines / len(sample)) - 1, 0)


def advance(bar, rows: int, done: bool = False) -> None:
    """Move the bar by rows; an estimated total that proves short, or (done) the end of the
    file, sets the total to the rows read, so the bar never passes 100% and ends at it."""
    bar.update(rows)
    if bar.total is not None and (bar.n > bar.total or done):
        bar.total = bar.n
        bar.refresh()
