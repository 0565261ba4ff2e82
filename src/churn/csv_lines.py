"""CSV lines that do not fit the header: a spreadsheet's "sep=;" line before it, data lines with
more fields than it has names, and a last line cut short."""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Sequence

import pandas as pd

from churn.errors import ChurnError


def check_no_delimiter_line(first_line: str, path: str) -> None:
    """Refuse a file starting with a spreadsheet's delimiter line ("sep=;"): read as the header,
    it would make one column of the whole file."""
    if re.fullmatch(r"\s*sep=.?\s*", first_line, flags=re.IGNORECASE):
        raise ChurnError(
            f"{path}: the first line {first_line.strip()!r} is a spreadsheet's delimiter line, "
            "not a header: delete that line (the delimiter is sniffed from the header)"
        )


def hides_a_delimiter(names: Sequence[object]) -> bool:
    """Whether a header read as one column holds one of the delimiters (, ; tab |): read with
    another delimiter than the file's."""
    return len(names) == 1 and any(sep in str(names[0]) for sep in ";\t|,")


def check_row_widths(frame: pd.DataFrame, header: Sequence[object], sep: str, path: str) -> None:
    """Refuse a file whose data lines hold more fields than its header: pandas then makes the
    first fields the row index and shifts every column one place (batch scoring refuses it).
    A one-column header holding a delimiter is left to check_delimiter's hint."""
    if not isinstance(frame.index, pd.RangeIndex) and not hides_a_delimiter(header):
        spelt = "tab" if sep == "\t" else sep
        raise ChurnError(
            f"{path}: data lines hold more fields than the header's {len(header)} names (a "
            f"value with an unquoted {spelt!r}, a header missing a name, or a line ending in "
            f"{spelt!r}): quote such values and name every column"
        )


TAIL_BYTES = 1 << 16  # read from the end of a file to find its last line


def check_lines(handle, start: int, names: int, sep: str, path: str) -> None:
    """check_last_line, then check_short_lines, on one reading of the file by the csv module.
    start: where the header line starts."""
    if not handle.seekable():
        return
    header, odd, last = odd_lines(handle, start, names, sep)
    check_last_line(handle, names, sep, path, last)
    check_short_lines(header, odd, names, path)


def check_last_line(handle, names: int, sep: str, path: str, last_record: list[str]) -> None:
    """Refuse a plain CSV file that ends inside a line holding fewer fields than the header's
    names: a copy or export cut short, whose last row pandas pads with missing values (and
    whose lost rows nothing would show). Batch scoring refuses such a line too. A compressed
    file is left to its decompressor, which refuses a cut stream. last_record: the file's last
    record as the csv module reads the whole file (a quoted value may span lines)."""
    if not path.lower().endswith((".csv", ".tsv")):
        return
    size = handle.seek(0, os.SEEK_END)
    handle.seek(max(0, size - TAIL_BYTES))
    tail = handle.read()
    if not tail or tail.endswith((b"\n", b"\r")):
        return
    last = re.split(rb"[\r\n]", tail)[-1].decode("utf-8", errors="replace")  # \r: old Macs
    if not last.strip():  # spaces and tabs only: a blank line, which pandas skips
        return
    fields = next(csv.reader([last], delimiter=sep), [])
    if len(fields) < names:  # or the end of a quoted value holding a line break
        fields = last_record
    if len(fields) < names:
        raise ChurnError(
            f"{path}: the last line holds {len(fields)} of the header's {names} fields and has "
            "no line end: the file was cut short (copy or export it again)"
        )


def check_short_lines(
    header: list[str], odd: list[tuple[int, list]], names: int, path: str
) -> None:
    """Refuse data lines holding fewer fields than the header's names (a line cut in two by an
    unquoted line break in a value, or cut short: pandas pads them with missing values, with no
    word said; batch scoring refuses them) and lines repeating the header (files joined with
    their headers: each became a row of column names); odd: odd_lines' list."""
    if not odd:
        return
    (line, row), more = odd[0], len(odd) - 1
    where = f"{path}: line {line}"
    also = f" (and {more} more line{'s' * (more > 1)} like it)" if more else ""
    if row == header:
        raise ChurnError(f"{where} repeats the header{also}: files joined with their headers?")
    raise ChurnError(
        f"{where} holds {len(row)} of the header's {names} fields{also}: a value with an "
        "unquoted line break, or a line cut short; fix the export (missing values are empty "
        "fields between delimiters)"
    )


def odd_lines(
    handle, start: int, names: int, sep: str
) -> tuple[list[str], list[tuple[int, list]], list[str]]:
    """The header's fields, (line number in the file, fields) of each data line that is short
    or repeats the header (lines of blanks only are skipped, as pandas skips them), and the last
    record's fields; no verdict ([], [], []) when the csv module cannot read the file."""
    handle.seek(0)
    lines_before = handle.read(start).count(b"\n")
    text = io.TextIOWrapper(handle, encoding="utf-8", newline="")
    odd: list[tuple[int, list]] = []
    try:
        reader = csv.reader(text, delimiter=sep)
        header = row = next(reader, [])
        for row in reader:
            if row == header or (len(row) < names and any(field.strip() for field in row)):
                odd.append((lines_before + reader.line_num, row))
    except csv.Error:  # a field beyond the csv module's limit: pandas read it; no verdict here
        return [], [], []
    finally:
        text.detach()
    return header, odd, row
