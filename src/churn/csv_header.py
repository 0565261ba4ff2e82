"""A CSV file's header line: its delimiter (set, or sniffed), its encoding (UTF-8 only) and its
column names (none twice; blank ones told apart by position)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import NamedTuple

import pandas as pd

from churn.csv_lines import check_no_delimiter_line, hides_a_delimiter
from churn.errors import ChurnError

# data.delimiter: "auto" (sniffed from each file's header line) or one of these spellings.
DELIMITERS = {",": ",", ";": ";", "tab": "\t", "\t": "\t", "|": "|"}
AUTO = "auto"


class SettingNames(NamedTuple):
    """What set the CSV delimiter and decimal mark (a params key or a command-line flag), and
    whether flags set them for one run (churn.predict), so that a message names the setting the
    user gave and the one to give."""

    delimiter: str = "data.delimiter"
    decimal: str = "data.decimal"
    flags: bool = False

    def option(self, setting: str) -> str:
        """What sets `setting` ("delimiter" or "decimal") for this run: its flag where there are
        flags (or where it was given as one), else its params key."""
        given = getattr(self, setting)
        return f"--{setting}" if self.flags or given.startswith("-") else given


FROM_PARAMS = SettingNames()  # both set in params.yaml
BLANK_BYTES = b" \t\r\n"  # a line of spaces and tabs only is blank: pandas skips it
UTF8_BOM = b"\xef\xbb\xbf"  # as Excel's "CSV UTF-8" starts; the readers skip it
SAMPLE_BYTES = 1 << 16  # read at a time from the start of a file
# How often a character repeats in a one-column header before it reads as the separator of
# several names: a name may hold a few ("Monthly Charges (EUR)", "a/b"), an export's header many
SEPARATED, SPACED_NAMES = 3, 5


def setting_text(option: str, value: str) -> str:
    """How the user writes option = value: `--decimal '.'` or `data.decimal: '.'`."""
    return f"{option} {value!r}" if option.startswith("-") else f"{option}: {value!r}"


def unquoted(header: str) -> str:
    """A header line without the text in double quotes."""
    return re.sub(r'"[^"]*"', "", header)


def sniff_delimiter(header: str) -> str:
    """The delimiter of a CSV header line: whichever of , ; tab | separates most column names
    (text in double quotes does not count); "," when none does."""
    counts = {sep: unquoted(header).count(sep) for sep in (",", ";", "\t", "|")}
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


def header_offset(handle, path: str) -> int:
    """Where the header line starts: after a UTF-8 byte order mark and the blank lines (empty,
    or spaces and tabs only) that pandas skips (handle is rewound). A file of blank lines only
    has no header."""
    block = handle.read(SAMPLE_BYTES)
    bom = len(UTF8_BOM) if block.startswith(UTF8_BOM) else 0
    blank, block = b"", block[bom:]
    while block and not block.lstrip(BLANK_BYTES):
        blank, block = blank + block, handle.read(SAMPLE_BYTES)
    blank += block[: len(block) - len(block.lstrip(BLANK_BYTES))]
    handle.seek(0)
    if (blank or bom) and not block:
        raise ChurnError(f"{path}: blank lines only, no header line")
    return bom + max(blank.rfind(b"\n"), blank.rfind(b"\r")) + 1  # spaces may start a header


def file_delimiter(
    handle, setting: str, path: str, decimal: str = ".", names: SettingNames = FROM_PARAMS
) -> str:
    """The delimiter setting, or with "auto" the one sniffed from the header line (after the
    blank lines header_offset skips); the start of the file must be UTF-8 either way. The handle
    is left where the header line starts, for the reader. A comma-delimited file cannot have
    decimal commas: refused with decimal "," (named as names.decimal says)."""
    offset = header_offset(handle, path)
    handle.seek(offset)
    start = handle.read(SAMPLE_BYTES)  # not readline(size): fsspec's remote files lack the size
    handle.seek(offset)
    text = utf8_start(start, path) if isinstance(start, bytes) else start
    header = text.splitlines()[0] if text else ""
    check_no_delimiter_line(header, path)
    if setting != AUTO:
        return DELIMITERS[setting]
    sep = sniff_delimiter(header)
    if decimal == "," and sep == ",":
        if "," in unquoted(header):
            raise ChurnError(
                f"{path}: comma-delimited, so its numbers cannot have decimal commas "
                f"({setting_text(names.decimal, ',')}); set "
                f"{setting_text(names.option('decimal'), '.')} for this file"
            )
        return ";"  # one column: no delimiter to sniff, and "," would split 1,5 in two
    return sep


def is_blank_name(name: object) -> bool:
    """Whether a header field is blank: the row index that pandas' to_csv writes by default, or a
    spreadsheet's trailing separators. pandas reads it as 'Unnamed: <position>'."""
    return not str(name).strip()


def check_unique_names(names: Sequence[object], path: str) -> None:
    """Refuse a header that names a column twice (pandas would rename the second 'x.1'; batch
    scoring refuses it too). Blank names are told apart by position, as pandas does."""
    counts = Counter(name for name in names if not is_blank_name(name))
    repeated = sorted(str(name) for name, count in counts.items() if count > 1)
    if repeated:
        raise ChurnError(f"{path}: column {repeated[0]!r} appears more than once in the header")


def check_csv_header(handle, sep: str, path: str) -> list[str]:
    """A CSV file's header fields as written, checked by check_unique_names (read from where the
    handle is, and put back there)."""
    start = handle.tell()
    header = pd.read_csv(handle, sep=sep, header=None, nrows=1, dtype=str, keep_default_na=False)
    handle.seek(start)
    names = header.iloc[0].tolist() if len(header) else []
    check_unique_names(names, path)
    return names


def check_delimiter(
    columns: list[str], path: str, setting: str = AUTO, names: SettingNames = FROM_PARAMS
) -> None:
    """Refuse a CSV read as one column whose name hides a delimiter (, ; tab |): the file's
    delimiter is not the one it was read with (setting, as set by names.delimiter)."""
    header = str(columns[0]) if columns else ""
    if hides_a_delimiter(columns):
        raise ChurnError(
            f"{path}: one column only; wrong delimiter? (header starts {header[:40]!r}; "
            f"{delimiter_hint(header, setting, names)})"
        )
    if len(columns) == 1 and (other := other_separator(header)):
        raise ChurnError(
            f"{path}: one column only; {other!r} seems to separate its header "
            f"({header[:40]!r}), and CSV files are read with , ; tab or | only"
        )


def other_separator(header: str) -> str:
    """The character that seems to separate a one-column header's names when it is none of the
    delimiters read (':' or ' ', repeated), or ""."""
    counts = Counter(c for c in unquoted(header) if not (c.isalnum() or c in "_-.'\"()"))
    common = counts.most_common(1)
    if not common:
        return ""
    separator, count = common[0]
    # a name may hold a few spaces ("Monthly Charges (EUR)") or slashes: a separator repeats
    return separator if count >= (SPACED_NAMES if separator == " " else SEPARATED) else ""


def delimiter_hint(header: str, setting: str, names: SettingNames) -> str:
    """What to set for a header read as one column: the delimiter the header seems to use, in
    the words of the setting that set it (names.delimiter) and of the one that sets it for this
    run (a command-line flag or a params key)."""
    if setting == AUTO:  # then only quotes hide the delimiter from sniffing
        auto = keyword(names.delimiter, AUTO)
        return f"{auto} found none outside double quotes: is the header quoted whole?"
    counts = {sep: header.count(sep) for sep in (",", ";", "\t", "|")}  # quotes included
    likely = max(counts, key=counts.__getitem__)
    spelt, option = "tab" if likely == "\t" else likely, names.option("delimiter")
    read = setting_text(names.delimiter, setting)
    return f"read with {read}; try {setting_text(option, spelt)} or {keyword(option, AUTO)}"


def keyword(option: str, value: str) -> str:
    """setting_text with the value unquoted, as a keyword: `--delimiter auto`."""
    return setting_text(option, value).replace(repr(value), value)
