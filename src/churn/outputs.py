"""Output tables of batch scoring: where they may go (checked before any work), and the writer
that appends them chunk by chunk (see churn.publishing for how they get their final names)."""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from pathlib import Path

import fsspec
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from churn.errors import ChurnError
from churn.file_systems import BUCKET_PROTOCOLS, filesystem_of
from churn.tables import is_csv, writing


def is_url(path: str) -> bool:
    return "://" in path


def file_key(path: str) -> tuple[str, str]:
    """(file system, path) naming the same file alike however it is spelt: a local path resolved
    (symlinks, `..`, file://), an object-store URL by its canonical scheme (s3a:// is s3://)."""
    filesystem, target = filesystem_of(path)
    protocol = filesystem.protocol
    scheme = protocol if isinstance(protocol, str) else protocol[0]
    if scheme in ("file", "local"):
        return "file", str(Path(target).resolve())
    return scheme, target.rstrip("/")


def same_file(one: str, other: str) -> bool:
    return file_key(one) == file_key(other)


def non_finite_replaced(value: object, replacement: Callable[[float], object]) -> object:
    """The value (dicts, lists and tuples walked) with each NaN or infinity replaced by what
    replacement gives for it: strict JSON has no NaN."""
    if isinstance(value, dict):
        return {key: non_finite_replaced(item, replacement) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [non_finite_replaced(item, replacement) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        return replacement(value)
    return value


def check_destination(path: str, folder: bool = False) -> None:
    """Refuse, before any work, an output that cannot be written: a folder (a file, for a folder
    output), a path under a file, a place no file can be made in, a missing bucket (writing would
    create it), an http URL."""
    scheme, target = file_key(path)
    if scheme != "file":
        check_bucket(path)
        return
    local = Path(target)
    if local.exists() and local.is_dir() != folder:
        other = "a file" if folder else "a folder"
        raise ChurnError(f"{path}: cannot be written ({other} has that name)")
    places = (local, *local.parents) if folder else local.parents
    parent = next((p for p in places if p.exists()), None)
    if parent is not None and not parent.is_dir():
        raise ChurnError(f"{path}: cannot be written ({parent} is a file, not a folder)")
    if parent is not None:
        check_writable(path, parent)


def check_folder_outputs(folder: str, names: Sequence[str]) -> None:
    """Refuse, before any work, an output folder that cannot be written, or a file in it that
    cannot (a folder in its place): the folder outputs of split and featurize."""
    check_destination(folder, folder=True)
    for name in names:
        check_destination(str(Path(folder) / name))


def check_writable(path: str, folder: Path) -> None:
    """Refuse a destination whose nearest existing folder takes no new entry (read-only, /proc:
    root may write anywhere by permissions, so try it)."""
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".churn-probe-", dir=folder))
    except OSError as error:
        raise ChurnError(f"{path}: cannot be written ({error.strerror or error})") from None


def check_bucket(path: str) -> None:
    """Refuse an object-store URL whose bucket does not exist (writing would create it), and
    URLs of stores that take no writes (http)."""
    filesystem, target = filesystem_of(path)
    protocol = filesystem.protocol
    protocols = {protocol} if isinstance(protocol, str) else set(protocol)
    if protocols & {"http", "https"}:
        raise ChurnError(f"{path}: cannot be written (an http URL is read-only here)")
    if protocols & BUCKET_PROTOCOLS:
        bucket = target.lstrip("/").split("/", 1)[0]
        try:  # not exists(): it answers False for refused credentials and unreachable servers too
            filesystem.info(bucket)
        except FileNotFoundError:
            raise ChurnError(
                f"{path}: no such bucket '{bucket}' (it is not created for you)"
            ) from None
        except PermissionError as error:
            raise ChurnError(f"{path}: access denied to bucket '{bucket}' ({error})") from None


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


def write_summary(summary: dict, path: str) -> None:
    """The counts as JSON at a local path or an fsspec URL (s3://...), as the outputs go."""
    text, (scheme, target) = json.dumps(summary, indent=2) + "\n", file_key(path)
    with writing(path):
        if scheme != "file":  # a URL read as a Path was a local folder 's3:'
            filesystem, inside = filesystem_of(path)
            with filesystem.open(inside, "w", encoding="utf-8") as handle:
                handle.write(text)
            return
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        Path(target).write_text(text, encoding="utf-8")
