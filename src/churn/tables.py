"""Reading and writing tables: CSV (compressed too) or Parquet, local paths and fsspec URLs."""

from __future__ import annotations

import lzma
import re
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

import fsspec
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from churn.arrow_text import binary_as_text
from churn.csv_header import (
    AUTO,
    check_csv_header,
    check_unique_names,
    file_delimiter,
    is_blank_name,
)
from churn.csv_lines import check_lines, check_row_widths
from churn.decimal_commas import read_decimal_commas
from churn.errors import ChurnError
from churn.file_systems import filesystem_of

# Compressed CSV is read and written through the codecs fsspec infers from the file name.
CSV_SUFFIXES = (".csv", ".csv.gz", ".csv.bz2", ".csv.xz", ".tsv", ".tsv.gz")
TABLE_SUFFIXES = (*CSV_SUFFIXES, ".parquet", ".pq")
# What the decompressors raise for a cut or damaged .gz/.bz2/.xz file that are no OSErrors
# (gzip's BadGzipFile and bz2's "Invalid data stream" are, and are reported as such).
COMPRESSION_ERRORS = (EOFError, zlib.error, lzma.LZMAError)


class Table(NamedTuple):
    """One file's columns, without those with a blank header (named as pandas names them)."""

    frame: pd.DataFrame
    blank_headed: tuple[str, ...]


def is_csv(path: str) -> bool:
    """Whether a table file is CSV (possibly compressed), judged by its name."""
    return path.lower().endswith(CSV_SUFFIXES)


def table_suffix(path: str) -> str:
    """The table suffix of a file name (".csv.gz", ".parquet", ...); a ChurnError otherwise, as
    the name is all that tells CSV from Parquet."""
    for suffix in sorted(TABLE_SUFFIXES, key=len, reverse=True):
        if path.lower().endswith(suffix):
            return suffix
    raise ChurnError(f"{path}: not a CSV or Parquet file name ({', '.join(TABLE_SUFFIXES)})")


def open_table(path: str, mode: str = "rb"):
    """An fsspec file for a table file or URL; compressed CSV is (de)compressed on the fly."""
    filesystem_of(path)  # a protocol fsspec cannot serve: one line, not its traceback
    return fsspec.open(path, mode, compression="infer")


def compression_problem(error: Exception) -> str:
    """One of COMPRESSION_ERRORS as short text for "PATH: cannot be read (...)"."""
    if isinstance(error, EOFError):
        return "compressed file is truncated"
    return f"compressed data is damaged: {str(error).strip() or type(error).__name__}"


def without_blank_headers(frame: pd.DataFrame, header: Sequence[object]) -> Table:
    """The frame without the columns whose header field (header[i] for frame.columns[i]) is
    blank: a row index or empty trailing fields, no data the contract can name. A column named
    'Unnamed: 0' in the file is named, and kept."""
    blank = [at for at, name in enumerate(header[: frame.shape[1]]) if is_blank_name(name)]
    if not blank:
        return Table(frame, ())
    kept = [at for at in range(frame.shape[1]) if at not in blank]
    return Table(frame.iloc[:, kept], tuple(str(frame.columns[at]) for at in blank))


def read_csv(handle, path: str, delimiter: str, decimal: str, keep_as_text: Sequence[str]) -> Table:
    """A CSV file as pandas reads it from its header line (see header_offset), in the given
    format, without blank-headed columns; keep_as_text columns (ids) are read verbatim. Decimal
    ",": every column is read as text and only values that are strictly decimal-comma numbers
    (1.234,5) become numbers (pandas' thousands="." read 82.97 as 8297)."""
    sep = file_delimiter(handle, delimiter, path, decimal)  # the handle at the header line
    start, header = handle.tell(), check_csv_header(handle, sep, path)
    if decimal == ".":
        dtypes = dict.fromkeys(keep_as_text, str)
        frame = pd.read_csv(handle, sep=sep, dtype=dtypes, low_memory=False)
    else:
        frame = read_decimal_commas(
            pd.read_csv(handle, sep=sep, dtype=str, low_memory=False), keep_as_text
        )
    check_row_widths(frame, header, sep, path)
    check_lines(handle, start, len(header), sep, path)
    return without_blank_headers(frame, header)


def read_parquet_table(handle, path: str) -> Table:
    """A Parquet file, every named column of it a column (bytes as text); one whose schema names
    a column twice is refused naming it."""
    check_unique_names(pq.read_schema(handle).names, path)
    handle.seek(0)
    # No pre-buffering on a Python file object: its read-ahead runs on Arrow's I/O threads, and
    # one still finishing as the process exits aborts it ("terminate called without an active
    # exception", about 1 run in 40 on a loaded machine); reads then happen in the call.
    table = binary_as_text(pq.read_table(handle, pre_buffer=False), path)  # as pd.read_parquet
    frame = index_as_columns(table.to_pandas(), path)
    return without_blank_headers(frame, list(frame.columns))


def index_as_columns(frame: pd.DataFrame, path: str = "") -> pd.DataFrame:
    """Columns that pandas wrote as the index (`set_index("customer_id")` before `to_parquet`)
    back among the columns, where the data's roles and features are looked for; an unnamed
    index holds row labels only, not data, and is dropped. An index named as a column is
    refused, as a column named twice is (reset_index raised ValueError: a traceback)."""
    named = [name for name in frame.index.names if name is not None]
    if clash := [str(name) for name in named if name in frame.columns]:
        raise ChurnError(f"{path}: column {clash[0]!r} is also the name of the index: rename one")
    if named:
        frame = frame.reset_index(level=named)
    return frame.reset_index(drop=True)


def read_table(
    path: str, delimiter: str = AUTO, decimal: str = ".", keep_as_text: Sequence[str] = ()
) -> pd.DataFrame:
    """Read one CSV or Parquet file without its blank-headed columns (see read_named_columns)."""
    return read_named_columns(path, delimiter, decimal, keep_as_text).frame


def read_named_columns(
    path: str, delimiter: str = AUTO, decimal: str = ".", keep_as_text: Sequence[str] = ()
) -> Table:
    """Read one CSV or Parquet file, leaving out the columns with a blank header and saying which
    they were; unreadable files raise a ChurnError naming the file."""
    try:
        with open_table(path) as handle:
            if is_csv(path):
                return read_csv(handle, path, delimiter, decimal, keep_as_text)
            return read_parquet_table(handle, path)
    except FileNotFoundError as error:
        raise ChurnError(f"{path}: no such file") from error
    except pd.errors.EmptyDataError as error:
        raise ChurnError(f"{path}: file is empty") from error
    except UnicodeDecodeError as error:
        bad = error.object[error.start : error.start + 1].hex()  # offset is within a buffer
        raise ChurnError(f"{path}: not UTF-8 text (byte 0x{bad}); save it as UTF-8") from error
    except COMPRESSION_ERRORS as error:
        raise ChurnError(f"{path}: cannot be read ({compression_problem(error)})") from error
    except (pd.errors.ParserError, pa.ArrowInvalid, OSError) as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error)
        raise ChurnError(f"{path}: cannot be parsed ({first_line})") from error


def os_reason(error: OSError) -> str:
    """An OSError as short text: "No such file or directory: '/proc/x'" (no errno prefix)."""
    if error.strerror:
        return f"{error.strerror}: '{error.filename}'" if error.filename else error.strerror
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


@contextmanager
def writing(path: Path | str) -> Iterator[None]:
    """An OSError while writing path (pyarrow's I/O errors are OSErrors too) as one ChurnError
    naming it."""
    try:
        yield
    except OSError as error:
        raise ChurnError(f"{path}: cannot be written ({os_reason(error)})") from None


def write_parquet(frame: pd.DataFrame, path: Path | str) -> None:
    """Write a Parquet file byte-identically for identical frames (no index, fixed settings)."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    with writing(path):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, path, compression="zstd", write_statistics=False)


def read_parquet(path: Path | str) -> pd.DataFrame:
    """Read a Parquet file, a stored index as ingest reads it; a ChurnError naming it when it
    is absent, a folder, or not Parquet."""
    if Path(path).is_dir():  # pandas would read every Parquet file inside as one table
        raise ChurnError(f"{path}: a folder, not a Parquet file")
    try:
        return index_as_columns(pd.read_parquet(path), str(path))  # as ingest reads it
    except FileNotFoundError as error:
        raise ChurnError(f"{path}: no such file (run the stage that makes it first)") from error
    except (pa.ArrowInvalid, OSError) as error:
        reason = re.sub(r"^Could not open Parquet input source '.*?': ", "", str(error).strip())
        reason = reason.splitlines()[0] if reason else type(error).__name__
        raise ChurnError(f"{path}: not a readable Parquet file ({reason})") from error
