"""Columns and categories whose names XGBoost refuses ([, ] and <): featurize, train, evaluate
and batch scoring on a tiny frame (XGBoost's ValueError was a traceback in train)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from churn import evaluate, featurize, predict, train
from churn.applied_contract import write_applied_contract
from churn.contract import infer_contract
from churn.errors import ChurnError
from churn.features import FeatureSpec
from churn.model import feature_names_of, load_model, xgboost_names
from churn.params import load_section
from tests.helpers import REPO

CHARGES, PLAN = "Monthly Charges [EUR]", "Contract<type>"


def tiny_split(folder: Path) -> None:
    """train, valid and test splits of 80 rows, as validate and split write them."""
    folder.mkdir()
    rng = np.random.default_rng(3)
    for name in ("train", "valid", "test"):
        charges = rng.uniform(20, 120, 80)
        frame = pd.DataFrame(
            {
                "customer_id": pd.Series([f"{name}{i}" for i in range(80)], dtype="string"),
                CHARGES: charges,
                PLAN: pd.Series(
                    rng.choice(["Two year [<24m]", "Month-to-month"], 80), dtype="string"
                ),
                "churned": (charges + rng.normal(0, 20, 80) > 70).astype("int8"),
            }
        )
        frame.to_parquet(folder / f"{name}.parquet")


def tiny_params(root: Path) -> Path:
    params = yaml.safe_load((REPO / "params.yaml").read_text())
    params["data"].update(timestamp="", contract="")
    params["featurize"]["min_category_count"] = 1
    params["train"].update(n_estimators=20, monotone_increasing=[])
    params["evaluate"]["slices"] = {}
    (root / "params.yaml").write_text(yaml.safe_dump(params))
    return root / "params.yaml"


def test_names_xgboost_refuses_train_evaluate_and_score(tmp_path, capsys):
    tiny_split(tmp_path / "split")
    params = ["--params", str(tiny_params(tmp_path))]
    spec, model = tmp_path / "features.json", tmp_path / "model.json"
    featurize.main(["--split-dir", str(tmp_path / "split"), "--out-dir", str(tmp_path / "proc"),
                    "--spec", str(spec), *params])  # fmt: skip
    train.main(["--train", str(tmp_path / "proc/train.parquet"), "--model", str(model),
                "--valid", str(tmp_path / "proc/valid.parquet"),
                "--live-dir", str(tmp_path / "live"), *params])  # fmt: skip
    names = FeatureSpec.load(spec).feature_names
    assert {CHARGES, f"{PLAN}=Two year [<24m]"} <= set(names)
    assert feature_names_of(load_model(model)) == names
    evaluate.main(["--model", str(model), "--test", str(tmp_path / "proc/test.parquet"),
                   "--raw-test", str(tmp_path / "split/test.parquet"),
                   "--live-dir", str(tmp_path / "eval"), *params])  # fmt: skip
    importance = json.loads((tmp_path / "eval/plots/custom/feature_importance.json").read_text())
    assert CHARGES in {row["feature"] for row in importance}
    rows = pd.read_parquet(tmp_path / "split/test.parquet").drop(columns="churned")
    rows.to_csv(tmp_path / "in.csv", index=False)
    capsys.readouterr()
    # the contract validate would infer from these rows before splitting them (data.contract "")
    every_row = pd.concat(pd.read_parquet(p) for p in sorted((tmp_path / "split").iterdir()))
    applied = infer_contract(every_row, load_section("data", Path(params[1])))
    write_applied_contract(applied, "inferred", tmp_path / "contract.yaml")
    predict.main(["--input", str(tmp_path / "in.csv"), "--output", str(tmp_path / "out.csv"),
                  "--model", str(model), "--features", str(spec), *params,
                  "--applied-contract", str(tmp_path / "contract.yaml")])  # fmt: skip
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["rows_scored"] == 80


def test_names_alike_once_escaped_are_refused_naming_both():
    assert xgboost_names(["a", "b=Two year"]) == ["a", "b=Two year"]  # others as they are
    assert xgboost_names(["x [m]", "y<2"]) == ["x %5Bm%5D", "y%3C2"]
    with pytest.raises(ChurnError, match=r"features 'x %5Bm%5D' and 'x \[m\]' are one name"):
        xgboost_names(["x %5Bm%5D", "x [m]"])
