"""Split stage: train/valid/test by calendar month when a timestamp exists, else at random."""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from churn.column_checks import coerce_in
from churn.customer_ids import customer_ids
from churn.data_params import DataParams, check_data_columns, check_labels
from churn.errors import ChurnError, CliParser, run_cli
from churn.outputs import check_folder_outputs
from churn.params import PARAMS_FILE, SplitParams, load_section
from churn.partial_months import partial_test_month
from churn.tables import read_parquet, write_parquet
from churn.type_changes import snapshot_months


class Splits(NamedTuple):
    train: pd.DataFrame
    valid: pd.DataFrame
    test: pd.DataFrame


def stable_fraction(keys: pd.Series, seed: int) -> np.ndarray:
    """Map each key to a number in [0, 1) that depends only on the key and the seed."""
    digests = (hashlib.blake2b(f"{seed}:{key}".encode(), digest_size=8).digest() for key in keys)
    return np.fromiter((int.from_bytes(d, "big") / 2**64 for d in digests), float, len(keys))


def customer_keys(frame: pd.DataFrame, key: str) -> pd.Series:
    """Each row's customer: its id as customer_ids reads it ("100001.0" is "100001"), or for a
    row without one the hash of its values, so that keyless rows do not share one split."""
    keys = customer_ids(frame[key])
    keyless = keys.isna().to_numpy()
    if keyless.any():
        rows = pd.util.hash_pandas_object(frame[keyless], index=False)
        keys = keys.astype(object).mask(keyless, "row:" + rows.astype(str))
    return keys


def hold_out_valid(window: pd.DataFrame, data: DataParams, valid_size: float, seed: int) -> Splits:
    """Carve the validation rows out of the training window, whole customers at a time (rows
    one by one without data.id), each by a seeded hash: not by its place in the file."""
    if data.id:
        held_out = stable_fraction(customer_keys(window, data.id), seed) < valid_size
    else:
        held_out = row_fractions(window, seed) < valid_size
    return Splits(window[~held_out], window[held_out], window.iloc[0:0])


def month_of_rows(frame: pd.DataFrame, timestamp: str, where: str) -> pd.Series:
    """Each row's snapshot, the calendar month of its timestamp; a row without one is refused,
    as no split could hold it (validate quarantines such rows: null:COL)."""
    stamps = frame[timestamp]
    if not pd.api.types.is_datetime64_any_dtype(stamps):  # a contract typing it as text
        stamps = coerce_in(stamps, "datetime", where).values
    if missing := int(stamps.isna().sum()):
        raise ChurnError(
            f"{where}: column '{timestamp}' (data.timestamp) is missing in {missing} of "
            f"{len(frame)} rows, which no split can hold: give them a date, or run validate "
            f"first (it quarantines them as null:{timestamp})"
        )
    return snapshot_months(stamps)


def split_by_time(
    frame: pd.DataFrame, months: pd.Series, data: DataParams, params: SplitParams, seed: int
) -> Splits:
    """Test on the latest calendar month (every row dated in it), train on the earlier months,
    validate on held-out customers."""
    if months.nunique() < 2:
        raise ChurnError(
            f"column '{data.timestamp}': need at least two snapshots (calendar months) "
            "for a time split"
        )
    latest = months.eq(months.max()).to_numpy(dtype=bool)
    train, valid, _ = hold_out_valid(frame[~latest], data, params.valid_size, seed)
    return Splits(train, valid, frame[latest])


def row_fractions(frame: pd.DataFrame, seed: int) -> np.ndarray:
    """A number in [0, 1) per row from the row's values and the seed: editing, adding or dropping
    a row changes no other row's number (stratified_pick may move the one at a class's cut). The
    seed is mixed into every row's hash: hash_key alone salts only text columns, so rows of
    numbers alone were split alike whatever the seed."""
    key = f"{seed % 10**16:016d}"
    rows = pd.util.hash_pandas_object(frame, index=False, hash_key=key).to_numpy()
    salt = int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big")
    return pd.util.hash_array(rows ^ np.uint64(salt)) / 2**64


def stratified_pick(fractions: np.ndarray, labels: pd.Series, share: float) -> np.ndarray:
    """Per label value, the share of items with the smallest fractions (as a mask)."""
    picked = np.zeros(len(labels), dtype=bool)
    values = labels.to_numpy()
    for label in pd.unique(values):
        rows = np.flatnonzero(values == label)
        # one of each label on both sides whenever there are two: tiny classes are not rounded away
        count = min(max(round(len(rows) * share), 1), len(rows) - 1)
        picked[rows[np.argsort(fractions[rows], kind="stable")[:count]]] = True
    return picked


def pick_customers(frame: pd.DataFrame, data: DataParams, share: float, seed: int) -> np.ndarray:
    """Rows of the share of customers with the smallest stable fractions, stratified by each
    customer's highest label (for 0/1 labels: whether any of its rows is positive)."""
    codes, customers = pd.factorize(customer_keys(frame, data.id))
    labels = frame[data.target].groupby(codes).max()
    fractions = stable_fraction(pd.Series(customers), seed)
    return stratified_pick(fractions, labels, share)[codes]


def pick_rows(frame: pd.DataFrame, data: DataParams, share: float, seed: int) -> np.ndarray:
    """A stratified, seeded share of the rows: whole customers with data.id, else single rows."""
    if data.id:
        return pick_customers(frame, data, share, seed)
    return stratified_pick(row_fractions(frame, seed), frame[data.target], share)


def split_at_random(
    frame: pd.DataFrame, data: DataParams, params: SplitParams, seed: int
) -> Splits:
    """Stratified test and validation splits, each customer in one of them only (seeded)."""
    test = pick_rows(frame, data, params.test_size, seed)
    rest = frame[~test]
    held_out = pick_rows(rest, data, params.valid_size, seed + 1)
    return Splits(rest[~held_out], rest[held_out], frame[test])


def split_advice(name: str, data: DataParams, params: SplitParams) -> str:
    """What to change when split `name` lacks a class."""
    if data.timestamp and name == "test":
        return "the newest snapshot is the test split: its labels must be known"
    sizes = f"split.valid_size ({params.valid_size})"
    if not data.timestamp:
        sizes = f"split.test_size ({params.test_size}) and {sizes}"
    unit = "customers (data.id)" if data.id else "rows"
    return f"adjust {sizes}, or add {unit} of the rarer class"


def check_splits(splits: Splits, data: DataParams, params: SplitParams) -> None:
    """Every split must hold both classes."""
    for name, part in splits._asdict().items():
        if part.empty or part[data.target].nunique() < 2:
            labels = part[data.target].value_counts().to_dict()
            raise ChurnError(
                f"split '{name}' has {len(part)} rows, labels {labels}: needs both classes; "
                + split_advice(name, data, params)
            )


def split_frame(
    frame: pd.DataFrame, data: DataParams, params: SplitParams, seed: int, where: str = "data"
) -> Splits:
    """Choose the split by whether the data has a timestamp column."""
    if frame.empty:
        raise ChurnError("no rows to split (did validate quarantine them all?)")
    check_labels(frame[data.target], where)  # 0/1, both of them: no split can fix that
    if data.timestamp:
        months = month_of_rows(frame, data.timestamp, where)
        splits = split_by_time(frame, months, data, params, seed)
        if warning := partial_test_month(months):
            print(warning, file=sys.stderr)
    else:
        splits = split_at_random(frame, data, params, seed)
    check_splits(splits, data, params)
    return Splits(*(part.reset_index(drop=True) for part in splits))


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = CliParser(prog="churn.split", description=__doc__)
    parser.add_argument("--input", required=True, type=Path)
    parser.add_argument("--out-dir", required=True, type=Path, help="gets train/valid/test.parquet")
    parser.add_argument("--params", type=Path, default=PARAMS_FILE)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    data, params = load_section("data", args.params), load_section("split", args.params)
    seed = load_section("base", args.params).seed
    check_folder_outputs(str(args.out_dir), [f"{name}.parquet" for name in Splits._fields])
    frame = read_parquet(args.input)
    check_data_columns(frame.columns, data, str(args.input))
    splits = split_frame(frame, data, params, seed, str(args.input))
    for name, part in splits._asdict().items():
        write_parquet(part, args.out_dir / f"{name}.parquet")
        print(f"split: {name} {len(part)} rows, churn rate {part[data.target].mean():.3f}")


if __name__ == "__main__":
    run_cli(main, "churn.split")
