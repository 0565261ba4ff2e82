"""Output tables of batch scoring: appended chunk by chunk, published only when complete."""

from __future__ import annotations

import os
import signal
import tempfile
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import fsspec
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from churn.errors import ChurnError
from churn.tables import is_csv

# Object stores whose URLs start with a bucket (or container) name.
BUCKET_PROTOCOLS = frozenset({"s3", "s3a", "gs", "gcs", "az", "abfs", "abfss"})


def is_url(path: str) -> bool:
    return "://" in path


def partial_name(path: str, scratch: Path, number: int) -> str:
    """Where an output is written until it is complete: a hidden file next to a local path; for
    a URL, a local file in scratch, uploaded when complete (an object store would publish a
    half-written upload as soon as its handle is closed, even on an error)."""
    if is_url(path):
        return str(scratch / f"{number}.partial")
    target = Path(path)
    return str(target.with_name(f".{target.name}.partial"))


def file_key(path: str) -> tuple[str, str]:
    """(file system, path) naming the same file alike however it is spelt: a local path resolved
    (symlinks, `..`, file://), an object-store URL by its canonical scheme (s3a:// is s3://)."""
    filesystem, target = fsspec.core.url_to_fs(path)
    protocol = filesystem.protocol
    scheme = protocol if isinstance(protocol, str) else protocol[0]
    if scheme in ("file", "local"):
        return "file", str(Path(target).resolve())
    return scheme, target.rstrip("/")


def same_file(one: str, other: str) -> bool:
    return file_key(one) == file_key(other)


def check_destination(path: str) -> None:
    """Refuse, before any work, an output that cannot be written: a folder, a path under a file,
    a missing bucket (writing would create it), an http URL."""
    scheme, target = file_key(path)
    if scheme != "file":
        check_bucket(path)
        return
    if Path(target).is_dir():
        raise ChurnError(f"{path}: cannot be written (a folder has that name)")
    parent = next((p for p in Path(target).parents if p.exists()), None)
    if parent is not None and not parent.is_dir():
        raise ChurnError(f"{path}: cannot be written ({parent} is a file, not a folder)")


def publish(name: str, path: str) -> None:
    """Give a complete output its final name: rename it, or upload it to its URL."""
    try:
        if not is_url(path):
            os.replace(name, path)
            return
        filesystem, target = fsspec.core.url_to_fs(path)
        filesystem.put_file(name, target)
    except OSError as error:
        raise ChurnError(f"{path}: cannot be written ({error.strerror or error})") from None


def check_bucket(path: str) -> None:
    """Refuse an object-store URL whose bucket does not exist (writing would create it), and
    URLs of stores that take no writes (http)."""
    filesystem, target = fsspec.core.url_to_fs(path)
    protocol = filesystem.protocol
    protocols = {protocol} if isinstance(protocol, str) else set(protocol)
    if protocols & {"http", "https"}:
        raise ChurnError(f"{path}: cannot be written (an http URL is read-only here)")
    if protocols & BUCKET_PROTOCOLS:
        bucket = target.lstrip("/").split("/", 1)[0]
        if not filesystem.exists(bucket):
            raise ChurnError(f"{path}: no such bucket '{bucket}' (it is not created for you)")


@contextmanager
def published(*paths: str) -> Iterator[list[str]]:
    """Names to write the outputs under; on success each is published under its path (see
    publish), on failure removed, so that a failed run never leaves a partial file that looks
    like a result, nor replaces the result of an earlier run. Destinations are checked first."""
    for path in paths:
        check_destination(path)
    with tempfile.TemporaryDirectory(prefix="churn-outputs-") as scratch:
        partial = [partial_name(path, Path(scratch), n) for n, path in enumerate(paths)]
        try:
            yield partial
            with signals_deferred():  # a stop now would leave new scores beside old rejects
                for name, path in zip(partial, paths, strict=True):
                    publish(name, path)
        finally:
            for name in partial:
                Path(name).unlink(missing_ok=True)


@contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back until the block is done, then let the first one act as usual,
    so that the outputs are published all together or not at all. (Python runs signal handlers
    in the main thread, whichever thread the signal reached: swapping them there is enough.)"""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    stops = (signal.SIGINT, signal.SIGTERM)
    previous = {stop: signal.signal(stop, lambda sig, _: caught.append(sig)) for stop in stops}
    try:
        yield
    finally:
        for stop, handler in previous.items():
            signal.signal(stop, handler)
        if caught:
            signal.raise_signal(caught[0])


class TableWriter:
    """Appends data frames to one local CSV or Parquet file with a fixed schema.
    The format and compression follow `like` (the final name) when writing under another name."""

    def __init__(self, path: str, schema: pa.Schema, stack: ExitStack, like: str = "") -> None:
        like = like or path
        Path(path).parent.mkdir(parents=True, exist_ok=True)  # always a local file now
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
        if frame.empty:  # the file has its schema already; converting nothing costs per column
            return
        table = pa.Table.from_pandas(frame, schema=self.schema, preserve_index=False)
        self.writer.write_table(table)
