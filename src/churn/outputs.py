"""Output tables of batch scoring: appended chunk by chunk, published only when complete."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import fsspec
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from churn.tables import is_csv


def partial_name(path: str) -> str:
    """Where a local output is written until it is complete: a hidden file next to it."""
    if "://" in path:
        return path  # object stores publish an upload only when it completes
    target = Path(path)
    return str(target.with_name(f".{target.name}.partial"))


@contextmanager
def published(*paths: str) -> Iterator[list[str]]:
    """Names to write the outputs under; on success each is renamed to its path, on failure
    removed, so that a failed run never leaves a partial file that looks like a result."""
    partial = [partial_name(path) for path in paths]
    try:
        yield partial
    except BaseException:
        for name, path in zip(partial, paths, strict=True):
            if name != path:
                Path(name).unlink(missing_ok=True)
        raise
    for name, path in zip(partial, paths, strict=True):
        if name != path:
            os.replace(name, path)


class TableWriter:
    """Appends data frames to one CSV or Parquet file (local or fsspec URL) with a fixed schema.
    The format and compression follow `like` (the final name) when writing under another name."""

    def __init__(self, path: str, schema: pa.Schema, stack: ExitStack, like: str = "") -> None:
        like = like or path
        if "://" not in path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.schema = schema
        compression = fsspec.utils.infer_compression(like)
        handle = stack.enter_context(fsspec.open(path, "wb", compression=compression))
        if is_csv(like):
            tabs = like.lower().endswith((".tsv", ".tsv.gz"))
            options = pa_csv.WriteOptions(delimiter="\t" if tabs else ",")
            writer = pa_csv.CSVWriter(handle, schema, write_options=options)
            self.writer = stack.enter_context(writer)
        else:
            options = {"compression": "zstd", "write_statistics": False}
            self.writer = stack.enter_context(pq.ParquetWriter(handle, schema, **options))

    def write(self, frame: pd.DataFrame) -> None:
        table = pa.Table.from_pandas(frame, schema=self.schema, preserve_index=False)
        self.writer.write_table(table)
