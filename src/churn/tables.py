"""Reading and writing tables: CSV or Parquet, local paths, folders, globs and fsspec URLs."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import fsspec
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from churn.errors import ChurnError

# Compressed CSV is read and written through the codecs fsspec infers from the file name.
CSV_SUFFIXES = (".csv", ".csv.gz", ".csv.bz2", ".csv.xz", ".tsv", ".tsv.gz")
TABLE_SUFFIXES = (*CSV_SUFFIXES, ".parquet", ".pq")
# data.delimiter: "auto" (sniffed from each file's header line) or one of these spellings.
DELIMITERS = {",": ",", ";": ";", "tab": "\t", "\t": "\t", "|": "|"}
AUTO = "auto"
# A number written with a decimal comma, optionally with '.' between thousands: 12,5  1.234,5
DECIMAL_COMMA_NUMBER = r"[+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?"


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
    return fsspec.open(path, mode, compression="infer")


def sniff_delimiter(header: str) -> str:
    """The delimiter of a CSV header line: whichever of , ; tab | separates most column names
    (text in double quotes does not count); "," when none does."""
    unquoted = re.sub(r'"[^"]*"', "", header)
    counts = {sep: unquoted.count(sep) for sep in (",", ";", "\t", "|")}
    best = max(counts, key=counts.__getitem__)  # ties go to the first, ","
    return best if counts[best] else ","


def utf8_start(start: bytes, path: str) -> str:
    """The first bytes of a CSV file as text; a ChurnError naming the problem when they are not
    UTF-8 (a character cut at the end of the sample is fine)."""
    if start.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ChurnError(f"{path}: UTF-16 text; save it as UTF-8")
    try:
        return start.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(start) - 3:
            bad = start[error.start : error.start + 1].hex()
            raise ChurnError(f"{path}: not UTF-8 text (byte 0x{bad}); save it as UTF-8") from None
        return start[: error.start].decode("utf-8")


def file_delimiter(handle, setting: str, path: str) -> str:
    """The delimiter setting, or with "auto" the one sniffed from the header line; the start of
    the file must be UTF-8 either way (handle is rewound to the start)."""
    start = handle.read(1 << 16)  # not readline(size): fsspec's remote files lack the size
    handle.seek(0)
    text = utf8_start(start, path) if isinstance(start, bytes) else start
    if setting != AUTO:
        return DELIMITERS[setting]
    return sniff_delimiter(text.splitlines()[0] if text else "")


def check_delimiter(columns: list[str], path: str) -> None:
    """Refuse a CSV read as one column whose name hides a delimiter (, ; tab |): the file's
    delimiter is not the one it was read with."""
    header = str(columns[0]) if columns else ""
    if len(columns) == 1 and any(sep in header for sep in ";\t|,"):
        raise ChurnError(
            f"{path}: one column only; wrong delimiter? (header starts {header[:40]!r}; "
            "data.delimiter: auto sniffs it)"
        )


def decimal_comma_numbers(column: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """(stripped text, mask of the values that are numbers written with a decimal comma)."""
    if column.dtype != object and not pd.api.types.is_string_dtype(column):
        return column, np.zeros(len(column), dtype=bool)
    text = column.astype("string").str.strip()
    return text, text.str.fullmatch(DECIMAL_COMMA_NUMBER).to_numpy(dtype=bool, na_value=False)


def decimal_commas_to_points(column: pd.Series) -> pd.Series:
    """Text numbers written with a decimal comma as plain number text ("1.234,5" -> "1234.5");
    every other value, and columns that are not text, unchanged."""
    text, numbers = decimal_comma_numbers(column)
    if not numbers.any():
        return column
    plain = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    return column.mask(numbers, plain.astype(object))


def decimal_commas_in(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """decimal_commas_to_points on the named columns that the frame has."""
    changed = {name: decimal_commas_to_points(frame[name]) for name in columns if name in frame}
    return frame.assign(**changed) if changed else frame


def number_columns(frame: pd.DataFrame, keep_as_text: Sequence[str]) -> list[str]:
    """Text columns most of whose present values are decimal-comma numbers (a few stray words
    are the contract's job): the columns of a decimal-comma file that hold numbers."""
    return [
        name
        for name in frame.columns
        if name not in keep_as_text
        and decimal_comma_numbers(frame[name])[1].sum() > frame[name].notna().sum() / 2
    ]


def list_table_files(source: str) -> list[str]:
    """Expand a file, folder, glob or URL into a sorted list of CSV/Parquet file URLs."""
    fs, _, paths = fsspec.get_fs_token_paths(source)
    if not fs.exists(paths[0]) and not any(ch in source for ch in "*?["):
        raise ChurnError(f"{source}: no such file or folder")
    if len(paths) == 1 and fs.isdir(paths[0]):
        paths = [p for p in fs.find(paths[0]) if p.lower().endswith(TABLE_SUFFIXES)]
    tables = sorted(p for p in paths if p.lower().endswith(TABLE_SUFFIXES))
    if not tables:
        raise ChurnError(f"{source}: no CSV or Parquet files found ({', '.join(TABLE_SUFFIXES)})")
    return [fs.unstrip_protocol(p) if "://" in source else p for p in tables]


def read_csv(
    handle, path: str, delimiter: str, decimal: str, keep_as_text: Sequence[str]
) -> pd.DataFrame:
    """A CSV file as pandas reads it, in the given format; keep_as_text columns (ids) are read
    verbatim. Decimal "," also reads "." between thousands, in number columns only."""
    sep = file_delimiter(handle, delimiter, path)
    options = {"sep": sep, "dtype": dict.fromkeys(keep_as_text, str), "low_memory": False}
    if decimal == ".":
        return pd.read_csv(handle, **options)
    frame = pd.read_csv(handle, decimal=",", thousands=".", **options)
    return decimal_commas_in(frame, number_columns(frame, keep_as_text))


def read_table(
    path: str, delimiter: str = AUTO, decimal: str = ".", keep_as_text: Sequence[str] = ()
) -> pd.DataFrame:
    """Read one CSV or Parquet file; unreadable files raise a ChurnError naming the file."""
    try:
        with open_table(path) as handle:
            if is_csv(path):
                return read_csv(handle, path, delimiter, decimal, keep_as_text)
            return pd.read_parquet(handle)
    except FileNotFoundError as error:
        raise ChurnError(f"{path}: no such file") from error
    except pd.errors.EmptyDataError as error:
        raise ChurnError(f"{path}: file is empty") from error
    except UnicodeDecodeError as error:
        bad = error.object[error.start : error.start + 1].hex()  # offset is within a buffer
        raise ChurnError(f"{path}: not UTF-8 text (byte 0x{bad}); save it as UTF-8") from error
    except (pd.errors.ParserError, pa.ArrowInvalid, OSError) as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error)
        raise ChurnError(f"{path}: cannot be parsed ({first_line})") from error


def os_reason(error: OSError) -> str:
    """An OSError as short text: "No such file or directory: '/proc/x'" (no errno prefix)."""
    if error.strerror:
        return f"{error.strerror}: '{error.filename}'" if error.filename else error.strerror
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def write_parquet(frame: pd.DataFrame, path: Path | str) -> None:
    """Write a Parquet file byte-identically for identical frames (no index, fixed settings)."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, path, compression="zstd", write_statistics=False)
    except OSError as error:  # pyarrow's I/O errors are OSErrors too
        raise ChurnError(f"{path}: cannot be written ({os_reason(error)})") from error


def read_parquet(path: Path | str) -> pd.DataFrame:
    """Read a Parquet file written by this package; a ChurnError naming it when it is absent,
    a folder, or not Parquet."""
    if Path(path).is_dir():  # pandas would read every Parquet file inside as one table
        raise ChurnError(f"{path}: a folder, not a Parquet file")
    try:
        return pd.read_parquet(path)
    except FileNotFoundError as error:
        raise ChurnError(f"{path}: no such file (run the stage that makes it first)") from error
    except (pa.ArrowInvalid, OSError) as error:
        reason = re.sub(r"^Could not open Parquet input source '.*?': ", "", str(error).strip())
        reason = reason.splitlines()[0] if reason else type(error).__name__
        raise ChurnError(f"{path}: not a readable Parquet file ({reason})") from error
