"""Which files a table source names: one file, a folder (its visible files, subfolders too), a
glob (* ? [...]) or an fsspec URL such as s3://bucket/prefix/."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from churn.data_params import GLOB_CHARACTERS
from churn.errors import ChurnError, listing
from churn.file_systems import filesystem_of
from churn.tables import TABLE_SUFFIXES

SKIPPED_SHOWN = 3  # names of skipped non-table files shown in the note


def list_table_files(source: str) -> list[str]:
    """Expand a file, folder, glob (* ? [...]) or URL into a sorted list of CSV/Parquet files.
    A folder means the files in it and in its subfolders, except hidden ones (see is_hidden)."""
    filesystem, path = filesystem_of(source)
    if not path.strip("/"):  # "s3://": no bucket
        raise ChurnError(f"{source}: names no bucket or folder")
    if any(character in path for character in GLOB_CHARACTERS) and not filesystem.exists(path):
        paths = sorted(filesystem.glob(path))  # a file named export[1].csv is read as named
        if not paths:
            raise ChurnError(f"{source}: no CSV or Parquet files match")
    elif path_kind(filesystem, path, source) == "directory":
        paths = visible_files(filesystem, path, source)
    else:
        paths = [path]
    tables = sorted(p for p in paths if p.lower().endswith(TABLE_SUFFIXES))
    if not tables:
        raise ChurnError(f"{source}: no CSV or Parquet files found ({', '.join(TABLE_SUFFIXES)})")
    note_skipped(source, sorted(set(paths) - set(tables)), "that are not CSV or Parquet")
    return [filesystem.unstrip_protocol(p) if "://" in source else p for p in tables]


def path_kind(filesystem, path: str, source: str) -> str:
    """ "file" or "directory"; a ChurnError naming the source when it is absent or refused
    (object stores' exists() answers False for refused credentials too, so info() is asked)."""
    try:
        return filesystem.info(path)["type"]
    except FileNotFoundError:
        raise ChurnError(f"{source}: no such file or folder") from None
    except PermissionError as error:
        raise ChurnError(f"{source}: access denied ({error})") from None


def is_hidden(relative: str) -> bool:
    """Whether a path below a source folder is hidden: a file or folder on the way named with a
    leading "." or "_" (.ipynb_checkpoints, .git, _SUCCESS, _temporary: copies and markers that
    tools leave beside data, not data)."""
    return any(part.startswith((".", "_")) for part in relative.split("/") if part)


def visible_files(filesystem, folder: str, source: str) -> list[str]:
    """Every file below a folder that is not hidden; the hidden ones are named on stderr."""
    found = filesystem.find(folder)
    root = folder.rstrip("/") + "/"
    hidden = {p for p in found if is_hidden(p[len(root) :] if p.startswith(root) else p)}
    note_skipped(source, sorted(hidden), "in hidden folders or with hidden names (. or _ first)")
    return [p for p in found if p not in hidden]


def note_skipped(source: str, skipped: Sequence[str], why: str) -> None:
    """One line on stderr naming the files of a source that were not read, and why."""
    if skipped:
        names = listing([p.rstrip("/").rsplit("/", 1)[-1] for p in skipped], SKIPPED_SHOWN)
        print(f"{source}: skipped {len(skipped)} file(s) {why}: {names}", file=sys.stderr)
