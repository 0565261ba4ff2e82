"""Featurize stage: fit the feature spec on the training split and build model matrices."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pandas as pd

from churn.constant_features import drop_constant_features, left_out_note
from churn.data_params import DataParams, check_data_columns
from churn.errors import CliParser, run_cli
from churn.features import FeatureSpec, fit_feature_spec
from churn.flag_columns import flag_columns
from churn.model_matrix import transform
from churn.outputs import check_destination, check_folder_outputs
from churn.params import PARAMS_FILE, load_section
from churn.tables import read_parquet, write_parquet

SPLITS = ("train", "valid", "test")


def excluded_columns(data: DataParams) -> list[str]:
    """Columns that are never features: the label, the id and the timestamp."""
    return [column for column in (data.target, data.id, data.timestamp) if column]


def model_frame(split: pd.DataFrame, spec: FeatureSpec, target: str, where: str) -> pd.DataFrame:
    """Feature matrix plus the label as its last column."""
    matrix = transform(split, spec, where)
    return matrix.assign(**{target: split[target].to_numpy()})


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = CliParser(prog="churn.featurize", description=__doc__)
    parser.add_argument("--split-dir", required=True, type=Path, help="train/valid/test.parquet")
    parser.add_argument("--out-dir", required=True, type=Path, help="model matrices")
    parser.add_argument("--spec", required=True, type=Path, help="feature spec JSON to write")
    parser.add_argument("--params", type=Path, default=PARAMS_FILE)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    data = load_section("data", args.params)
    min_count = load_section("featurize", args.params).min_category_count
    check_destination(str(args.spec))  # before reading and fitting, not after
    check_folder_outputs(str(args.out_dir), [f"{name}.parquet" for name in SPLITS])
    splits = {name: read_parquet(args.split_dir / f"{name}.parquet") for name in SPLITS}
    for name, split in splits.items():
        check_data_columns(split.columns, data, f"{args.split_dir / name}.parquet")
    train_file = f"{args.split_dir / 'train'}.parquet"
    spec = fit_feature_spec(splits["train"], excluded_columns(data), min_count, train_file)
    spec = drop_constant_features(splits["train"], spec, min_count, train_file)
    spec = replace(spec, flags=flag_columns(splits.values(), spec.numeric))  # as validate reads
    if spec.left_out:
        print(f"featurize: {left_out_note(spec.left_out)}", file=sys.stderr)
    args.spec.parent.mkdir(parents=True, exist_ok=True)
    args.spec.write_text(spec.to_json(), encoding="utf-8")
    for name, split in splits.items():
        frame = model_frame(split, spec, data.target, f"{args.split_dir / name}.parquet")
        write_parquet(frame, args.out_dir / f"{name}.parquet")
    print(f"featurize: {len(spec.feature_names)} features from {len(spec.input_columns)} columns")


if __name__ == "__main__":
    run_cli(main, "churn.featurize")
