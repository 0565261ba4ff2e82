"""A first data contract inferred from data (`python -m churn.contract infer DATA`): roles
from params, types, ranges and categories from the values."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from churn.coercion import Coerced, coerce
from churn.contract_spec import ColumnContract, Contract
from churn.data_params import DataParams, absent_role_columns, ids_of
from churn.errors import ChurnError, CliParser, run_cli
from churn.inferred_types import infer_type
from churn.params import PARAMS_FILE, load_section
from churn.partial_columns import check_spellings
from churn.raw_text import as_text, blank_mask
from churn.table_sources import table_files, with_partitions
from churn.tables import read_table
from churn.type_changes import retype_detail, retyped

MAX_CATEGORIES = 50  # more distinct values than this: an open set (id-like or free text)


def infer_column(name: str, column: pd.Series, role: str, where: str = "") -> ColumnContract:
    """A contract entry describing the column as it is (after the contract's own coercion, so
    blanks count as missing and numbers written as text count as numbers); where: the data's
    file, for errors."""
    # ids are names, never numbers (ranges would refuse new customers, floats merge long ids)
    fixed = {"timestamp": "datetime", "id": "categorical"}.get(role)
    kind = fixed or infer_type(column, name, where, flags=role == "feature")  # labels: as before
    coerced = coerce(column, kind)
    if role == "timestamp":
        refuse_undated_timestamp(column, coerced, name, where)
    values = coerced.values
    # a row without an id cannot be told apart or joined back: quarantined, as scoring rejects
    # it; a row without a timestamp belongs to no snapshot (validate quarantines it whatever
    # the contract says, see contract_columns.required_timestamp): neither is written nullable.
    # Only values that are missing make a column nullable: text in a number column (made missing
    # by coercion) is a type problem, which validate judges by contract.type_change.
    missing = values.isna() & ~coerced.bad
    if coerced.infinite is not None:  # infinite numbers: no missing values either
        missing &= ~coerced.infinite
    nullable = role not in ("id", "timestamp") and bool(missing.any())
    if kind == "numeric" and values.notna().any():  # no range from a column with no values
        return ColumnContract(name, role, kind, nullable, float(values.min()), float(values.max()))
    if kind == "categorical" and role == "feature":
        levels = sorted(str(v) for v in values.dropna().unique())
        open_set = len(levels) > MAX_CATEGORIES
        return ColumnContract(name, role, kind, nullable, categories=None if open_set else levels)
    return ColumnContract(name, role, kind, nullable)


def refuse_undated_timestamp(column: pd.Series, coerced: Coerced, name: str, where: str) -> None:
    """Stop when most values of the data.timestamp column are no dates (epoch seconds, 202601):
    the contract would type it datetime and validate would stop on every row, saying the column
    "no longer" holds dates."""
    if retyped(coerced):
        prefix = f"{where}: " if where else ""
        raise ChurnError(
            f"{prefix}column '{name}' (data.timestamp) holds no dates ({int(coerced.bad.sum())} "
            f"of {len(column)} rows, {retype_detail(column, coerced)}): no contract inferred"
        )


def has_values(column: pd.Series) -> bool:
    """Whether a column holds a value that is neither missing nor a missing-value marker."""
    present = column.dropna()
    return bool(len(present)) and not blank_mask(as_text(present)).all()


LEFT_OUT = "Left out, with no values at all: "
TEXT_IN_NUMBERS = (
    "Review: text in number columns, not counted as missing values (validate judges it by "
    "contract.type_change; a word in a required column is type:COL): "
)
ROW_NUMBERS = "Review: numbering the rows, describing no customer: "
MIN_COUNTED = 20  # a file numbered 0 or 1 up to at least this: shorter runs happen by chance


def numbers_rows(column: pd.Series) -> bool:
    """Whether a number column counts the rows in file order, as `RowNumber` or a row index
    saved as data do: each value the one before plus 1, or the first again (0 or 1) where the
    next file starts. As a feature it would tell the model where a row sits in the export."""
    if not pd.api.types.is_numeric_dtype(column):  # flags: 0 and 1 never span MIN_COUNTED
        return False
    values = column.to_numpy(dtype=float, na_value=float("nan"))
    if len(values) < MIN_COUNTED or values[0] not in (0, 1):
        return False
    steps_or_restarts = (values[1:] - values[:-1] == 1) | (values[1:] == values[0])
    return bool(steps_or_restarts.all() and values.max() - values[0] + 1 >= MIN_COUNTED)


def infer_contract(frame: pd.DataFrame, data: DataParams, where: str = "") -> Contract:
    """A first contract from a data sample: roles from params, types and ranges from values.
    Feature columns with no values at all are left out (a model feature that is never there
    would be demanded of scoring data), and named in a note (see left_out_note)."""
    roles = {data.target: "target", data.id: "id", data.timestamp: "timestamp"}
    features = [name for name in frame.columns if name not in roles]
    empty = [name for name in features if not has_values(frame[name])]
    columns = [
        infer_column(name, frame[name], roles.get(name, "feature"), where)
        for name in frame.columns
        if name not in empty
    ]
    notes = ["Inferred by `python -m churn.contract infer`; review ranges and categories."]
    if empty:
        named = ", ".join(map(repr, empty))
        notes.append(f"{LEFT_OUT}{named} (validate treats them as new columns)")
    if counters := [name for name in features if name not in empty and numbers_rows(frame[name])]:
        named = ", ".join(map(repr, counters))
        notes.append(f"{ROW_NUMBERS}{named} (delete them here to keep them out of the model)")
    if text := text_in_numbers(frame, columns):
        notes.append(f"{TEXT_IN_NUMBERS}{text}")
    return Contract(columns, notes=notes)


def text_in_numbers(frame: pd.DataFrame, columns: Sequence[ColumnContract]) -> str:
    """The number columns holding values that read as no number, with counts and an example, as
    one text ("" when none does)."""
    found = []
    for column in (c for c in columns if c.type == "numeric"):
        raw = frame[column.name]
        coerced = coerce(raw, "numeric")
        if coerced.bad.any():
            count = f"{int(coerced.bad.sum())} of {len(raw)} rows"
            found.append(f"'{column.name}' ({count}, {retype_detail(raw, coerced)})")
    return ", ".join(found)


def left_out_note(contract: Contract) -> str:
    """The note naming the columns inference left out, or ""."""
    return next((note for note in contract.notes if note.startswith(LEFT_OUT)), "")


REVIEWED = (LEFT_OUT, ROW_NUMBERS, TEXT_IN_NUMBERS)


def review_notes(contract: Contract) -> list[str]:
    """The notes a person should read before using an inferred contract: the columns left out
    and the features that only number the rows."""
    return [note for note in contract.notes if note.startswith(REVIEWED)]


def missing_role_warnings(
    columns: pd.Index, data: DataParams, where: str, params: Path
) -> list[str]:
    """One warning per column data.target, data.id or data.timestamp names that the data lacks
    (then no column gets that role; scoring-only data may lack the label, so no error)."""
    return [
        f"contract: data.{role} {name!r} is not a column of {where}{hint}: "
        f"no column gets the {role} role (set data.{role} in {params})"
        for role, name, hint in absent_role_columns(columns, data)
    ]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = CliParser(prog="churn.contract", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    infer = commands.add_parser("infer", help="write a first contract for a data file to stdout")
    infer.add_argument("data", help="CSV or Parquet file, folder, glob or URL")
    infer.add_argument("--params", type=Path, default=PARAMS_FILE)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    data = load_section("data", args.params)
    tables = {
        path: with_partitions(read_table(path, data.delimiter, data.decimal, ids_of(data)), folders)
        for path, folders in table_files(args.data).items()
    }
    check_spellings(tables)  # as ingest does
    frame = pd.concat(list(tables.values()), ignore_index=True)
    for warning in missing_role_warnings(frame.columns, data, args.data, args.params):
        print(warning, file=sys.stderr)
    contract = infer_contract(frame, data, args.data)
    for note in review_notes(contract):
        print(f"contract: {note}", file=sys.stderr)
    sys.stdout.write(contract.to_yaml())


if __name__ == "__main__":
    run_cli(main, "churn.contract")
