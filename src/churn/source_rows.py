"""Which of the user's source files each ingested row came from. ingest stacks the files in
order and lists them with their row counts in a small JSON file beside its table; validate reads
it to name those files in its errors and quarantine, where it named only the interim table."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from churn.errors import ChurnError, listing, read_bytes
from churn.tables import writing

SOURCE_COLUMN = "reject_source"  # in the quarantine, beside reject_reason
FILES_SHOWN = 3


def source_name(path: str, source: str) -> str:
    """A file as the user names it: relative to the working folder for a relative local source
    (no machine's absolute path in the outputs), else as listed (an absolute path, a URL)."""
    if "://" in source or os.path.isabs(source):
        return path
    return Path(os.path.relpath(path)).as_posix()


def write_sources(names: Sequence[str], rows: Sequence[int], path: Path) -> None:
    """The source files in stacking order with their row counts, as JSON."""
    files = [{"path": name, "rows": int(n)} for name, n in zip(names, rows, strict=True)]
    with writing(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"files": files}, indent=2) + "\n", encoding="utf-8")


def read_sources(path: Path, rows: int) -> pd.Series:
    """Each row's source file (categorical), from write_sources' file; a ChurnError naming it
    when it is no such listing or lists another number of rows than the table has."""
    try:
        files = json.loads(read_bytes(path))["files"]
        names, counts = [str(f["path"]) for f in files], [int(f["rows"]) for f in files]
    except (ValueError, KeyError, TypeError):
        raise ChurnError(f"{path}: not a list of source files as ingest writes it") from None
    if sum(counts) != rows or len(set(names)) != len(names):
        found = (
            f"lists {sum(counts)} rows, the table has {rows}"
            if sum(counts) != rows
            else f"lists {next(n for n in names if names.count(n) > 1)!r} twice"
        )
        raise ChurnError(f"{path}: {found}: not the list ingest wrote with it (run ingest again)")
    codes = np.repeat(np.arange(len(names)), counts)
    return pd.Series(pd.Categorical.from_codes(codes, categories=names))


def files_of(sources: pd.Series, rows: Sequence) -> str:
    """The source files of the given rows (index labels), in order, a few named and counted."""
    picked = sources.iloc[np.asarray(rows, dtype=np.int64)]
    return listing(list(dict.fromkeys(picked.astype(str))), FILES_SHOWN)


@contextmanager
def named_sources(sources: pd.Series | None, where: str) -> Iterator[None]:
    """A ChurnError about rows of the table at where (its rows set) restated naming the source
    files those rows came from first: `exports/m3.csv (rows of where): ...`."""
    try:
        yield
    except ChurnError as error:
        if sources is None or not len(error.rows):
            raise
        message = str(error).removeprefix(f"{where}: ")
        raise ChurnError(f"{files_of(sources, error.rows)} (rows of {where}): {message}") from None


def with_sources(rejected: pd.DataFrame, rows: np.ndarray, sources: pd.Series | None):
    """The rejected rows (taken from rows of the table) with the source file of each."""
    if sources is None:
        return rejected
    names = sources.iloc[rows].astype(str).to_numpy()
    return rejected.assign(**{SOURCE_COLUMN: names})
