"""The data contract: each input column's role, type, nullability and allowed values, as YAML."""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from churn.coercion import RETYPE_SHARE, coerce, infer_kind
from churn.data_params import DataParams, ids_of
from churn.errors import ChurnError, read_text, run_cli
from churn.params import PARAMS_FILE, load_section
from churn.raw_text import as_text, blank_mask
from churn.table_sources import list_table_files
from churn.tables import read_table
from churn.yaml_files import parse_yaml, yaml_problem

ROLES = ("id", "timestamp", "target", "feature")
TYPES = ("numeric", "categorical", "boolean", "datetime")
CONTRACT_VERSION = 1
MAX_CATEGORIES = 50  # more distinct values than this: an open set (id-like or free text)


@dataclass(frozen=True)
class ColumnContract:
    """What one column must look like."""

    name: str
    role: str
    type: str
    nullable: bool = True
    min: float | None = None
    max: float | None = None
    categories: list[str] | None = None

    def to_mapping(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None and k != "name"}


@dataclass(frozen=True)
class Contract:
    """The columns of the input data, in order."""

    columns: list[ColumnContract]
    version: int = CONTRACT_VERSION
    notes: list[str] = field(default_factory=list)

    def names(self, role: str | None = None) -> list[str]:
        return [c.name for c in self.columns if role is None or c.role == role]

    def column(self, name: str) -> ColumnContract:
        for candidate in self.columns:
            if candidate.name == name:
                return candidate
        raise KeyError(name)

    def to_yaml(self) -> str:
        body = {
            "version": self.version,
            "columns": {c.name: c.to_mapping() for c in self.columns},
        }
        header = "".join(f"# {note}\n" for note in self.notes)
        return header + yaml.safe_dump(body, sort_keys=False, allow_unicode=True)

    @classmethod
    def from_yaml(cls, text: str, where: str = "contract") -> Contract:
        try:
            raw = parse_yaml(text)
        except yaml.YAMLError as error:
            raise ChurnError(f"{where}: not valid YAML ({yaml_problem(error)})") from error
        if not isinstance(raw, dict) or not isinstance(raw.get("columns"), dict):
            raise ChurnError(f"{where}: expected a mapping with a 'columns' section")
        if raw.get("version") != CONTRACT_VERSION:
            raise ChurnError(f"{where}: unsupported contract version {raw.get('version')!r}")
        return cls([parse_column(name, spec, where) for name, spec in raw["columns"].items()])

    @classmethod
    def load(cls, path: Path | str) -> Contract:
        return cls.from_yaml(read_text(path, "contract file not found"), str(path))


def parse_column(name: str, spec: object, where: str) -> ColumnContract:
    """One column entry of the YAML, checked field by field."""
    if not isinstance(spec, dict):
        raise ChurnError(f"{where}: column '{name}' must be a mapping")
    unknown = set(spec) - {"role", "type", "nullable", "min", "max", "categories"}
    if unknown:
        raise ChurnError(f"{where}: column '{name}' has unknown field(s) {sorted(unknown)}")
    if spec.get("role") not in ROLES:
        raise ChurnError(f"{where}: column '{name}' role must be one of {ROLES}")
    if spec.get("type") not in TYPES:
        raise ChurnError(f"{where}: column '{name}' type must be one of {TYPES}")
    nullable = spec.get("nullable", True)
    if not isinstance(nullable, bool):
        raise ChurnError(
            f"{where}: column '{name}' nullable must be true or false, got {nullable!r}"
        )
    low, high = (range_bound(spec, key, f"{where}: column '{name}'") for key in ("min", "max"))
    if low is not None and high is not None and low > high:
        raise ChurnError(f"{where}: column '{name}' min ({low}) is above max ({high})")
    return ColumnContract(
        name, spec["role"], spec["type"], nullable, low, high, category_list(spec, name, where)
    )


def range_bound(spec: dict, key: str, what: str) -> float | int | None:
    """The min or max of a column entry: a finite number, on numeric columns only."""
    value = spec.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ChurnError(f"{what} {key} must be a number, got {value!r}")
    if spec["type"] != "numeric":
        raise ChurnError(f"{what} {key} applies to numeric columns only, not {spec['type']}")
    return value


def category_list(spec: dict, name: str, where: str) -> list[str] | None:
    """The categories of a column entry as text: a list of values (one value would be split
    into its letters)."""
    categories = spec.get("categories")
    if categories is None:
        return None
    if not isinstance(categories, list) or any(isinstance(v, dict | list) for v in categories):
        raise ChurnError(
            f"{where}: column '{name}' categories must be a list of values, got {categories!r}"
        )
    return [str(level) for level in categories]


def infer_type(column: pd.Series) -> str:
    """numeric, categorical, boolean or datetime, from the values. Text that mostly reads as
    numbers (say "1,234.5" with a few blanks, as spreadsheet exports have) is numeric."""
    values = column.dropna()
    if pd.api.types.is_bool_dtype(column) or (
        pd.api.types.is_numeric_dtype(column) and len(values) and set(values.unique()) <= {0, 1}
    ):
        return "boolean"
    if pd.api.types.is_numeric_dtype(column):
        return "numeric"
    if pd.api.types.is_datetime64_any_dtype(column):
        return "datetime"
    return infer_kind(column, RETYPE_SHARE) if len(values) else "categorical"


def infer_column(name: str, column: pd.Series, role: str) -> ColumnContract:
    """A contract entry describing the column as it is (after the contract's own coercion, so
    blanks count as missing and numbers written as text count as numbers)."""
    # ids are names, never numbers (ranges would refuse new customers, floats merge long ids)
    kind = {"timestamp": "datetime", "id": "categorical"}.get(role) or infer_type(column)
    values = coerce(column, kind).values
    # a row without an id cannot be told apart or joined back: quarantined, as scoring rejects
    # it; a row without a timestamp belongs to no snapshot (validate quarantines it whatever
    # the contract says, see contract_columns.required_timestamp): neither is written nullable
    nullable = role not in ("id", "timestamp") and bool(values.isna().any())
    if kind == "numeric" and values.notna().any():  # no range from a column with no values
        return ColumnContract(name, role, kind, nullable, float(values.min()), float(values.max()))
    if kind == "categorical" and role == "feature":
        levels = sorted(str(v) for v in values.dropna().unique())
        open_set = len(levels) > MAX_CATEGORIES
        return ColumnContract(name, role, kind, nullable, categories=None if open_set else levels)
    return ColumnContract(name, role, kind, nullable)


def has_values(column: pd.Series) -> bool:
    """Whether a column holds a value that is neither missing nor a missing-value marker."""
    present = column.dropna()
    return bool(len(present)) and not blank_mask(as_text(present)).all()


LEFT_OUT = "Left out, with no values at all: "


def infer_contract(frame: pd.DataFrame, data: DataParams) -> Contract:
    """A first contract from a data sample: roles from params, types and ranges from values.
    Feature columns with no values at all are left out (a model feature that is never there
    would be demanded of scoring data), and named in a note (see left_out_note)."""
    roles = {data.target: "target", data.id: "id", data.timestamp: "timestamp"}
    features = [name for name in frame.columns if name not in roles]
    empty = [name for name in features if not has_values(frame[name])]
    columns = [
        infer_column(name, frame[name], roles.get(name, "feature"))
        for name in frame.columns
        if name not in empty
    ]
    notes = ["Inferred by `python -m churn.contract infer`; review ranges and categories."]
    if empty:
        named = ", ".join(map(repr, empty))
        notes.append(f"{LEFT_OUT}{named} (validate treats them as new columns)")
    return Contract(columns, notes=notes)


def left_out_note(contract: Contract) -> str:
    """The note naming the columns inference left out, or ""."""
    return next((note for note in contract.notes if note.startswith(LEFT_OUT)), "")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="churn.contract", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    infer = commands.add_parser("infer", help="write a first contract for a data file to stdout")
    infer.add_argument("data", help="CSV or Parquet file, folder, glob or URL")
    infer.add_argument("--params", type=Path, default=PARAMS_FILE)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    data = load_section("data", args.params)
    files = list_table_files(args.data)
    frames = [read_table(path, data.delimiter, data.decimal, ids_of(data)) for path in files]
    contract = infer_contract(pd.concat(frames, ignore_index=True), data)
    if note := left_out_note(contract):
        print(f"contract: {note}", file=sys.stderr)
    sys.stdout.write(contract.to_yaml())


if __name__ == "__main__":
    run_cli(main, "churn.contract")
