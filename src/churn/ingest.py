"""Ingest stage: read the raw CSV/Parquet files (file, folder, glob, URL) into one table."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from churn.csv_header import check_delimiter
from churn.customer_ids import ids_as_text, inexact_ids
from churn.data_params import ids_of
from churn.errors import ChurnError, CliParser, listing, run_cli, storage_errors
from churn.outputs import check_destination
from churn.params import PARAMS_FILE, load_section
from churn.partial_columns import check_spellings, partial_columns, partial_note
from churn.raw_text import normalise_text
from churn.source_rows import source_name, write_sources
from churn.table_sources import files_in, table_files, with_partitions
from churn.tables import read_named_columns, write_parquet

# How pandas names a blank header field: a column so named in a file was named so by a reader
# (a CSV with a row index read and saved again) and may hold row numbers.
READER_NAMED = re.compile(r"Unnamed: \d+")
FILES_SHOWN = 3  # file names shown in a note


def spelt(value: object) -> str:
    """A value of a mixed column as text: text as written, a number as batch scoring spells it."""
    return value if isinstance(value, str) else normalise_text(value)


def harmonise_types(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns mixing numbers and text (across files or within one) become text, so that the
    table can be written; validate coerces them explicitly and counts what it had to do. Numbers
    are spelt as batch scoring spells them (normalise_text: a Parquet file's float 101.0 is
    "101", as a CSV file writes it), text is kept as written."""
    mixed = [
        name
        for name in frame.columns
        if frame[name].dtype == object
        and pd.api.types.infer_dtype(frame[name], skipna=True) not in ("string", "empty")
    ]
    as_text = {name: frame[name].map(spelt, na_action="ignore") for name in mixed}
    return frame.assign(**as_text) if as_text else frame


def combine_tables(tables: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Stack tables whose columns may differ (a column added later is missing before it)."""
    return pd.concat(tables, ignore_index=True, sort=False)


def blank_header_note(dropped: Mapping[str, Sequence[str]]) -> str:
    """One line naming the columns left out for a blank header and the files that had them ("" when
    none had): the row index that pandas' to_csv writes by default is no data (blank header)."""
    files = [path for path, columns in dropped.items() if columns]
    if not files:
        return ""
    columns = list(dict.fromkeys(column for path in files for column in dropped[path]))
    names = listing([path.rstrip("/").rsplit("/", 1)[-1] for path in files], FILES_SHOWN)
    return (
        f"ingest: left out column(s) with a blank header (a row index, not data): "
        f"{listing([repr(c) for c in columns])} in {len(files)} of {len(dropped)} file(s): {names}"
    )


def reader_named_note(columns: Sequence[object]) -> str:
    """One line on columns named like a blank header a reader named ('Unnamed: 0'), kept as data
    since they have a name ("" when there are none)."""
    named = [repr(str(c)) for c in columns if READER_NAMED.fullmatch(str(c))]
    if not named:
        return ""
    return (
        f"ingest: column(s) {listing(named)} kept as data, though named as pandas names a blank "
        "header: a row index saved again? remove it from the export if it holds row numbers"
    )


def check_table(table: pd.DataFrame, path: str, delimiter: str) -> pd.DataFrame:
    """Refuse files with no data rows, or one column whose name hides a different delimiter
    than data.delimiter."""
    if table.empty:
        raise ChurnError(f"{path}: no data rows (header only?)")
    check_delimiter(list(table.columns), path, delimiter)
    return table


def with_text_ids(table: pd.DataFrame, id_column: str) -> pd.DataFrame:
    """The table with its id column (data.id) as text (see ids_as_text): stacked as numbers,
    int64 ids of one file would become float64 for another file's gap, and ids above 2**53
    collapse into one."""
    if not id_column or id_column not in table.columns:
        return table
    return table.assign(**{id_column: ids_as_text(table[id_column])})


def inexact_id_note(tables: Mapping[str, pd.DataFrame], id_column: str) -> str:
    """One line naming the files whose id column (data.id) holds float ids too large for every
    digit ("" when none): such ids may have merged before ingest read them."""
    found = {path: inexact_ids(t[id_column]) for path, t in tables.items() if id_column in t}
    found = {path: ids for path, ids in found.items() if len(ids)}
    if not found:
        return ""
    path, ids = next(iter(found.items()))
    return (
        f"ingest: warning: column '{id_column}' (data.id) holds ids as floating-point numbers "
        f"above 2**53, which cannot keep every digit (distinct ids may have become one), in "
        f"{len(found)} file(s): {path} ({len(ids)} ids, e.g. {normalise_text(ids.iloc[0])}); "
        "export the id column as integers or text"
    )


def ingest(tables: Sequence[pd.DataFrame], id_column: str = "") -> pd.DataFrame:
    """Stack the raw tables as they are, each one's ids made text first; typing and checks
    happen in the validate stage."""
    return harmonise_types(combine_tables([with_text_ids(t, id_column) for t in tables]))


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = CliParser(prog="churn.ingest", description=__doc__)
    parser.add_argument("--source", required=True, help="file, folder, glob or URL")
    parser.add_argument(
        "--files", default="", help="glob of the files to read in the --source folder ('*.csv')"
    )
    parser.add_argument("--out", required=True, type=Path, help="typed Parquet output")
    parser.add_argument(
        "--sources-out", type=Path, help="JSON naming each source file and its rows, for validate"
    )
    parser.add_argument(
        "--params", type=Path, default=PARAMS_FILE, help="data.id/delimiter/decimal"
    )
    return parser.parse_args(argv)


def ingest_warnings(reads: dict, tables: list[pd.DataFrame], columns: list, id_column: str):
    """The stderr notes on what was read ("" for each that does not apply): blank headers, names
    a reader made up, ids that may have lost digits (reads: each file's read, in stacking order)."""
    return [
        blank_header_note({path: read.blank_headed for path, read in reads.items()}),
        reader_named_note(columns),
        inexact_id_note(dict(zip(reads, tables, strict=True)), id_column),
    ]


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    data = load_section("data", args.params)
    for output in (args.out, args.sources_out or args.out):  # before reading every file
        check_destination(str(output))
    source = files_in(args.source, args.files)
    with storage_errors(source):
        files = table_files(source)
        reads = {
            path: read_named_columns(path, data.delimiter, data.decimal, ids_of(data))
            for path in files
        }
    tables = [
        with_partitions(check_table(read.frame, path, data.delimiter), files[path])
        for path, read in reads.items()
    ]
    check_spellings(dict(zip(reads, tables, strict=True)))
    table = ingest(tables, data.id)
    write_parquet(table, args.out)
    if args.sources_out:  # the rows of each file, in the order stacked
        names = [source_name(path, args.source) for path in files]
        write_sources(names, [len(t) for t in tables], args.sources_out)
    print(f"ingest: {len(table)} rows, {table.shape[1]} columns from {len(files)} file(s)")
    if note := partial_note(partial_columns(tables), list(files)):
        print(note)
    for warning in filter(None, ingest_warnings(reads, tables, list(table.columns), data.id)):
        print(warning, file=sys.stderr)


if __name__ == "__main__":
    run_cli(main, "churn.ingest")
