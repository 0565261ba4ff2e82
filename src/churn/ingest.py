"""Ingest stage: read the raw CSV/Parquet source into one typed Parquet table."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from churn.errors import ChurnError, run_cli
from churn.params import PARAMS_FILE, DataParams, load_section
from churn.tables import list_table_files, read_table, write_parquet


def normalise_label(value: object) -> str:
    """Spell a label value the same whichever reader produced it: 1, 1.0 and "1" are all "1"."""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def label_to_int(labels: pd.Series, positive_label: int | str | bool, where: str) -> pd.Series:
    """Map the label column to 1 (positive_label) and 0 (the one other value)."""
    if labels.isna().any():
        raise ChurnError(f"{where}: label column has {int(labels.isna().sum())} missing values")
    text = labels.map(normalise_label)
    positive = normalise_label(positive_label)
    values = sorted(text.unique())
    if len(values) > 2:
        raise ChurnError(f"{where}: label column has more than two values: {values[:5]}")
    if positive not in values:
        raise ChurnError(f"{where}: label value {positive!r} (data.positive_label) never occurs")
    return (text == positive).astype("int8")


def type_columns(frame: pd.DataFrame, data: DataParams, where: str) -> pd.DataFrame:
    """Give the id, timestamp and label columns their types; other columns keep the reader's."""
    for role, column in (("target", data.target), ("id", data.id), ("timestamp", data.timestamp)):
        if column and column not in frame.columns:
            raise ChurnError(f"{where}: column '{column}' (data.{role}) not found")
    typed = frame.copy()
    typed[data.target] = label_to_int(frame[data.target], data.positive_label, where)
    if data.id:
        typed[data.id] = frame[data.id].astype("string")
    if data.timestamp:
        stamps = pd.to_datetime(frame[data.timestamp], errors="coerce")
        if stamps.isna().any():
            raise ChurnError(f"{where}: column '{data.timestamp}' has unparseable dates")
        typed[data.timestamp] = stamps.astype("datetime64[ns]")
    return typed


def combine_tables(tables: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """Stack tables whose columns may differ (a column added later is missing before it)."""
    return pd.concat(tables, ignore_index=True, sort=False)


def ingest(tables: Sequence[pd.DataFrame], data: DataParams, where: str) -> pd.DataFrame:
    """Combine and type the raw tables, sorted by timestamp and id when they exist."""
    typed = type_columns(combine_tables(tables), data, where)
    order = [column for column in (data.timestamp, data.id) if column]
    return typed.sort_values(order, kind="stable").reset_index(drop=True) if order else typed


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="churn.ingest", description=__doc__)
    parser.add_argument("--source", required=True, help="file, folder, glob or URL")
    parser.add_argument("--out", required=True, type=Path, help="typed Parquet output")
    parser.add_argument("--params", type=Path, default=PARAMS_FILE)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    data = load_section("data", args.params)
    files = list_table_files(args.source)
    tables = [read_table(path) for path in files]
    table = ingest(tables, data, args.source)
    write_parquet(table, args.out)
    print(f"ingest: {len(table)} rows, {table.shape[1]} columns from {len(files)} file(s)")


if __name__ == "__main__":
    run_cli(main, "churn.ingest")
