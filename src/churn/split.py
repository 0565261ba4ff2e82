"""Split stage: train/valid/test by time when a timestamp exists, else stratified at random."""

from __future__ import annotations

import argparse
import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from churn.errors import ChurnError, run_cli
from churn.params import PARAMS_FILE, DataParams, SplitParams, check_data_columns, load_section
from churn.tables import read_parquet, write_parquet


class Splits(NamedTuple):
    train: pd.DataFrame
    valid: pd.DataFrame
    test: pd.DataFrame


def stable_fraction(keys: pd.Series, seed: int) -> np.ndarray:
    """Map each key to a number in [0, 1) that depends only on the key and the seed."""
    digests = (hashlib.blake2b(f"{seed}:{key}".encode(), digest_size=8).digest() for key in keys)
    return np.fromiter((int.from_bytes(d, "big") / 2**64 for d in digests), float, len(keys))


def key_fractions(frame: pd.DataFrame, key: str, seed: int) -> np.ndarray:
    """stable_fraction of each row's key; a row without one (missing or blank) is keyed by the
    hash of its values instead, so that keyless rows do not all fall into one split together."""
    keys = frame[key]
    keyless = keys.isna().to_numpy() | keys.astype("string").str.strip().eq("").to_numpy(
        dtype=bool, na_value=True
    )
    if keyless.any():
        rows = pd.util.hash_pandas_object(frame[keyless], index=False)
        keys = keys.astype(object).mask(keyless, "row:" + rows.astype(str))
    return stable_fraction(keys, seed)


def hold_out_valid(window: pd.DataFrame, data: DataParams, valid_size: float, seed: int) -> Splits:
    """Carve the validation rows out of the training window, whole customers at a time."""
    if data.id:
        held_out = key_fractions(window, data.id, seed) < valid_size
    else:
        held_out = np.random.default_rng(seed).random(len(window)) < valid_size
    empty = window.iloc[0:0]
    return Splits(window[~held_out], window[held_out], empty)


def split_by_time(frame: pd.DataFrame, data: DataParams, params: SplitParams, seed: int) -> Splits:
    """Test on the latest snapshot, train on the earlier ones, validate on held-out customers."""
    latest = frame[data.timestamp].max()
    if frame[data.timestamp].nunique() < 2:
        raise ChurnError(f"column '{data.timestamp}': need at least two snapshots for a time split")
    window = frame[frame[data.timestamp] < latest]
    train, valid, _ = hold_out_valid(window, data, params.valid_size, seed)
    return Splits(train, valid, frame[frame[data.timestamp] == latest])


def row_fractions(frame: pd.DataFrame, data: DataParams, seed: int) -> np.ndarray:
    """A number in [0, 1) per row from the id (or, without one, the row's values) and the seed:
    editing, adding or dropping a row never moves another row to another split."""
    if data.id:
        return key_fractions(frame, data.id, seed)
    key = f"{seed % 10**16:016d}"
    return pd.util.hash_pandas_object(frame, index=False, hash_key=key).to_numpy() / 2**64


def stratified_pick(fractions: np.ndarray, labels: pd.Series, share: float) -> np.ndarray:
    """Per label value, the share of rows with the smallest fractions (as a mask)."""
    picked = np.zeros(len(labels), dtype=bool)
    values = labels.to_numpy()
    for label in pd.unique(values):
        rows = np.flatnonzero(values == label)
        count = round(len(rows) * share)
        picked[rows[np.argsort(fractions[rows], kind="stable")[:count]]] = True
    return picked


def split_at_random(
    frame: pd.DataFrame, data: DataParams, params: SplitParams, seed: int
) -> Splits:
    """Stratified test and validation splits, drawn by stable per-row hashes (seeded)."""
    test = stratified_pick(row_fractions(frame, data, seed), frame[data.target], params.test_size)
    rest = frame[~test]
    held_out = stratified_pick(
        row_fractions(rest, data, seed + 1), rest[data.target], params.valid_size
    )
    return Splits(rest[~held_out], rest[held_out], frame[test])


def split_frame(frame: pd.DataFrame, data: DataParams, params: SplitParams, seed: int) -> Splits:
    """Choose the split by whether the data has a timestamp column."""
    splitter = split_by_time if data.timestamp else split_at_random
    if frame.empty:
        raise ChurnError("no rows to split (did validate quarantine them all?)")
    if frame[data.target].nunique() < 2:  # no split can fix that
        labels = frame[data.target].value_counts().to_dict()
        raise ChurnError(
            f"column '{data.target}' (data.target) holds one class only, {labels}: check "
            "data.positive_label and the source data"
        )
    splits = splitter(frame, data, params, seed)
    for name, part in splits._asdict().items():
        if part.empty or part[data.target].nunique() < 2:
            labels = part[data.target].value_counts().to_dict()
            why = (
                "the newest snapshot is the test split: its labels must be known"
                if data.timestamp and name == "test"
                else "adjust split params"
            )
            raise ChurnError(
                f"split '{name}' has {len(part)} rows, labels {labels}: needs both classes; {why}"
            )
    return Splits(*(part.reset_index(drop=True) for part in splits))


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="churn.split", description=__doc__)
    parser.add_argument("--input", required=True, type=Path)
    parser.add_argument("--out-dir", required=True, type=Path, help="gets train/valid/test.parquet")
    parser.add_argument("--params", type=Path, default=PARAMS_FILE)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    data, params = load_section("data", args.params), load_section("split", args.params)
    seed = load_section("base", args.params).seed
    frame = read_parquet(args.input)
    check_data_columns(frame.columns, data, str(args.input))
    splits = split_frame(frame, data, params, seed)
    for name, part in splits._asdict().items():
        write_parquet(part, args.out_dir / f"{name}.parquet")
        print(f"split: {name} {len(part)} rows, churn rate {part[data.target].mean():.3f}")


if __name__ == "__main__":
    run_cli(main, "churn.split")
