"""Which files a table source names: one file, a folder (its visible files, subfolders too), a
glob (* ? [...]) or an fsspec URL such as s3://bucket/prefix/."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from fnmatch import fnmatchcase
from urllib.parse import unquote

import pandas as pd

from churn.data_params import GLOB_CHARACTERS, glob_parts
from churn.errors import ChurnError, listing
from churn.file_systems import BUCKET_PROTOCOLS, filesystem_of
from churn.tables import TABLE_SUFFIXES

SKIPPED_SHOWN = 3  # names of skipped non-table files shown in the note
HIVE_NULL = "__HIVE_DEFAULT_PARTITION__"  # the folder value Spark and Hive write for a null


def list_table_files(source: str) -> list[str]:
    """Expand a file, folder, glob (* ? [...]) or URL into a sorted list of CSV/Parquet files.
    A folder means the files in it and in its subfolders, a glob the files it matches, except
    hidden ones below the folder (see is_hidden)."""
    return list(table_files(source))


def table_files(source: str) -> dict[str, dict[str, str | None]]:
    """list_table_files, each file with the partition folders it is in below the source (see
    partition_values)."""
    filesystem, path = filesystem_of(source)
    if not path.strip("/"):  # "s3://": no bucket
        raise ChurnError(f"{source}: names no bucket or folder")
    root, paths = source_paths(filesystem, path, source)
    tables = sorted(p for p in paths if p.lower().endswith(TABLE_SUFFIXES))
    if not tables:
        raise ChurnError(f"{source}: no CSV or Parquet files found ({', '.join(TABLE_SUFFIXES)})")
    skipped = sorted(set(paths) - set(tables))
    note_skipped(source, root, skipped, "that are not CSV or Parquet")
    return {
        (filesystem.unstrip_protocol(p) if "://" in source else p): partition_values(below(p, root))
        for p in tables
    }


def partition_values(relative: str) -> dict[str, str | None]:
    """The Hive-style partition folders (`snapshot_month=2026-01/`, as Spark and pandas'
    partition_cols write them) on a file's path below its source folder: column -> value (URL
    escapes read; Hive's null partition missing). Such files do not hold the column."""
    folders = [part.split("=", 1) for part in relative.split("/")[:-1] if "=" in part]
    return {
        unquote(name): None if value == HIVE_NULL else unquote(value)
        for name, value in folders
        if name
    }


def with_partitions(frame: pd.DataFrame, partitions: Mapping[str, str | None]) -> pd.DataFrame:
    """The frame with a text column per partition folder it lacks, the folder's value in every
    row: without it, a month (or region) the folders name was no column at all."""
    added = {name: value for name, value in partitions.items() if name not in frame.columns}
    return frame.assign(
        **{name: pd.Series(value, frame.index, object) for name, value in added.items()}
    )


def source_paths(filesystem, path: str, source: str) -> tuple[str, list[str]]:
    """(the folder the paths are named below, "" for one file; the paths of the files the
    source names, hidden ones left out and noted)."""
    if any(character in path for character in GLOB_CHARACTERS) and not filesystem.exists(path):
        matched = sorted(filesystem.glob(path))  # a file named export[1].csv is read as named
        if not matched:
            raise ChurnError(f"{source}: no CSV or Parquet files match")
        root, pattern = glob_parts(path)
        return root, visible_files(matched, root, source, pattern)
    if path_kind(filesystem, path, source) == "directory":
        root = path.rstrip("/") + "/"
        return root, visible_files(filesystem.find(path), root, source)
    return "", [path]


def path_kind(filesystem, path: str, source: str) -> str:
    """ "file" or "directory"; a ChurnError naming the source when it is absent or refused
    (object stores' exists() answers False for refused credentials too, so info() is asked)."""
    try:
        return filesystem.info(path)["type"]
    except FileNotFoundError:
        raise ChurnError(f"{source}: {absence(filesystem, path)}") from None
    except PermissionError as error:
        raise ChurnError(f"{source}: access denied ({error})") from None


def absence(filesystem, path: str) -> str:
    """What is missing: an object store's bucket (a misspelt bucket read as a missing folder),
    or the file or folder."""
    protocol = filesystem.protocol
    protocols = set(protocol) if isinstance(protocol, tuple | list) else {protocol}
    bucket = path.strip("/").split("/", 1)[0]
    if not protocols & BUCKET_PROTOCOLS or not bucket:  # local files, http://: no buckets
        return "no such file or folder"
    try:  # not exists(): it answers False for refused credentials and unreachable servers too
        filesystem.info(bucket)
    except FileNotFoundError:
        return f"no such bucket '{bucket}'"
    except Exception:  # the store would not say: keep to what info() of the path said
        pass
    return "no such file or folder"


def is_hidden(relative: str, asked: Sequence[str] = ()) -> bool:
    """Whether a path below a source folder is hidden: a file or folder on the way named with a
    leading "." or "_" (.ipynb_checkpoints, .git, _SUCCESS, _temporary: copies and markers that
    tools leave beside data, not data), unless a segment of the glob that starts so, and so
    asks for such names (`_part-*.csv`, `.snapshots/*.csv`), matches it."""
    return any(
        part.startswith((".", "_")) and not any(fnmatchcase(part, glob) for glob in asked)
        for part in relative.split("/")
        if part
    )


def below(path: str, root: str) -> str:
    """A path as named below the source folder root ("" or ending in "/")."""
    return path[len(root) :] if root and path.startswith(root) else path


def visible_files(paths: Sequence[str], root: str, source: str, pattern: str = "") -> list[str]:
    """The paths below root that are not hidden (a glob's pattern may ask for hidden names);
    the hidden ones are named on stderr."""
    asked = [glob for glob in pattern.split("/") if glob.startswith((".", "_"))]
    hidden = {p for p in paths if is_hidden(below(p, root), asked)}
    why = "in hidden folders or with hidden names (. or _ first)"
    note_skipped(source, root, sorted(hidden), why)
    return [p for p in paths if p not in hidden]


def note_skipped(source: str, root: str, skipped: Sequence[str], why: str) -> None:
    """One line on stderr naming the files of a source that were not read (by their path below
    the source folder root, hidden folders and all), and why."""
    if skipped:
        names = listing([below(p.rstrip("/"), root) for p in skipped], SKIPPED_SHOWN)
        print(f"{source}: skipped {len(skipped)} file(s) {why}: {names}", file=sys.stderr)


def files_in(source: str, pattern: str) -> str:
    """The source folder with the files glob (ingest.files) applied: what list_table_files
    expands. Under `dvc repro` the folder is the stage's dependency (DVC cannot hash a glob);
    the glob then picks the files in it."""
    pattern = pattern.strip()
    if not pattern:
        return source
    if pattern.startswith("/") or "://" in pattern or ".." in pattern.split("/"):
        raise ChurnError(
            f"--files (ingest.files) '{pattern}': should be a glob inside --source (ingest.source)"
            f" {source}, such as '*.csv'"
        )
    return f"{source.rstrip('/')}/{pattern}"
