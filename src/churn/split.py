"""Split stage: train/valid/test by time when a timestamp exists, else stratified at random."""

from __future__ import annotations

import argparse
import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from churn.errors import ChurnError, run_cli
from churn.params import PARAMS_FILE, DataParams, SplitParams, load_section
from churn.tables import read_parquet, write_parquet


class Splits(NamedTuple):
    train: pd.DataFrame
    valid: pd.DataFrame
    test: pd.DataFrame


def stable_fraction(keys: pd.Series, seed: int) -> np.ndarray:
    """Map each key to a number in [0, 1) that depends only on the key and the seed."""
    digests = (hashlib.blake2b(f"{seed}:{key}".encode(), digest_size=8).digest() for key in keys)
    return np.fromiter((int.from_bytes(d, "big") / 2**64 for d in digests), float, len(keys))


def hold_out_valid(window: pd.DataFrame, data: DataParams, valid_size: float, seed: int) -> Splits:
    """Carve the validation rows out of the training window, whole customers at a time."""
    if data.id:
        held_out = stable_fraction(window[data.id], seed) < valid_size
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


def split_at_random(
    frame: pd.DataFrame, data: DataParams, params: SplitParams, seed: int
) -> Splits:
    """Stratified random test and validation splits."""
    labels = frame[data.target]
    rest, test = train_test_split(
        frame, test_size=params.test_size, stratify=labels, random_state=seed
    )
    train, valid = train_test_split(
        rest, test_size=params.valid_size, stratify=rest[data.target], random_state=seed
    )
    return Splits(train.sort_index(), valid.sort_index(), test.sort_index())


def split_frame(frame: pd.DataFrame, data: DataParams, params: SplitParams, seed: int) -> Splits:
    """Choose the split by whether the data has a timestamp column."""
    splitter = split_by_time if data.timestamp else split_at_random
    splits = splitter(frame, data, params, seed)
    for name, part in splits._asdict().items():
        if part.empty or part[data.target].nunique() < 2:
            raise ChurnError(f"split '{name}' is empty or has a single class; adjust split params")
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
    splits = split_frame(read_parquet(args.input), data, params, seed)
    for name, part in splits._asdict().items():
        write_parquet(part, args.out_dir / f"{name}.parquet")
        print(f"split: {name} {len(part)} rows, churn rate {part[data.target].mean():.3f}")


if __name__ == "__main__":
    run_cli(main, "churn.split")
