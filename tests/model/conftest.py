"""A small model trained in-process by the stage entry points, shared by the behaviour tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
import yaml

from churn import evaluate, featurize, generate, ingest, split, train, validate
from churn.features import FeatureSpec
from churn.model import ChurnModel, load_model
from tests.helpers import REPO, built_once

CONTRACT = REPO / "contracts" / "churn.yaml"


@dataclass(frozen=True)
class Trained:
    root: Path
    spec: FeatureSpec
    model: ChurnModel
    test_rows: pd.DataFrame


def small_params(root: Path, scale: float = 0.2) -> Path:
    params = yaml.safe_load((REPO / "params.yaml").read_text())
    params["generate"]["scale"] = scale
    params["data"]["contract"] = str(CONTRACT)
    path = root / "params.yaml"
    path.write_text(yaml.safe_dump(params))
    return path


@pytest.fixture(scope="session")
def trained(tmp_path_factory, worker_id: str) -> Trained:
    """train_small's model, trained once per test session and shared by the test workers
    (built_once): read its files, copy them; do not change them."""
    root, _ = built_once(tmp_path_factory, worker_id, "model", train_small)
    return Trained(
        root,
        FeatureSpec.load(root / "features.json"),
        load_model(root / "model.json"),
        pd.read_parquet(root / "split/test.parquet"),
    )


def train_small(root: Path) -> None:
    """Run generate -> evaluate (with validate) through each stage's main() at small scale."""
    params = ["--params", str(small_params(root))]
    generate.main(["--out", str(root / "raw"), *params])
    ingest.main(["--source", str(root / "raw"), "--out", str(root / "all.parquet")])
    validate.main(
        [
            *["--input", str(root / "all.parquet"), "--contract", str(CONTRACT)],
            *["--valid-out", str(root / "valid.parquet"), "--quarantine-out", str(root / "q.pq")],
            *["--unlabelled-out", str(root / "unlabelled.parquet")],
            *["--metrics", str(root / "validation.json"), "--schema", str(root / "schema.json")],
            *["--contract-out", str(root / "contract.yaml")],
            *params,
        ]
    )
    split.main(["--input", str(root / "valid.parquet"), "--out-dir", str(root / "split"), *params])
    featurize.main(
        [
            "--split-dir",
            str(root / "split"),
            "--out-dir",
            str(root / "proc"),
            "--spec",
            str(root / "features.json"),
            *params,
        ]
    )
    train.main(
        [
            "--train",
            str(root / "proc/train.parquet"),
            "--valid",
            str(root / "proc/valid.parquet"),
            "--model",
            str(root / "model.json"),
            "--live-dir",
            str(root / "live"),
            *params,
        ]
    )
    evaluate.main(
        [
            "--model",
            str(root / "model.json"),
            "--test",
            str(root / "proc/test.parquet"),
            "--raw-test",
            str(root / "split/test.parquet"),
            "--live-dir",
            str(root / "eval"),
            *params,
        ]
    )
