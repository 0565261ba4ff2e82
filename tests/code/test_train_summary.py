"""What train logs for an XGBoost model through fit_model and log_model_summary, as train.main
runs them (mutants of churn.train that skipped the curves or the boosted rounds survived)."""

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest
import yaml
from dvclive import Live
from sklearn.metrics import roc_auc_score

from churn.errors import ChurnError
from churn.model import load_model, predict_proba
from churn.train import fit_model, log_model_summary, main
from tests.code.test_model import PARAMS as MODEL_PARAMS
from tests.helpers import REPO

# test_model's, without class weights or monotone constraints
PARAMS = dataclasses.replace(
    MODEL_PARAMS, n_estimators=30, balance_classes=False, monotone_increasing=[]
)


def frame(rows: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x, z = rng.normal(size=rows), rng.normal(size=rows)
    y = (x + 0.5 * z + rng.normal(scale=0.7, size=rows) > 0.8).astype(int)
    return pd.DataFrame({"x": x, "z": z, "y": y})


def test_an_xgboost_fit_logs_its_curves_and_its_saved_rounds(tmp_path):
    train, valid = frame(400, 0), frame(300, 1)
    with Live(dir=str(tmp_path), dvcyaml=None, save_dvc_exp=False, report=None) as live:
        model = fit_model(train, valid, "y", PARAMS, 0, live)
        log_model_summary(live, model, valid, "y")
    summary = json.loads((tmp_path / "metrics.json").read_text())
    assert summary["boosted_rounds"] == model.num_boosted_rounds()
    assert (tmp_path / "plots/metrics/valid/auc.tsv").is_file()
    assert (tmp_path / "plots/metrics/train/logloss.tsv").is_file()
    expected = roc_auc_score(valid["y"], predict_proba(model, valid[["x", "z"]]))
    assert summary["valid_roc_auc"] == round(float(expected), 6)


def test_a_logistic_model_logs_no_boosted_rounds(tmp_path):
    params = dataclasses.replace(PARAMS, model="logistic_regression")
    train, valid = frame(400, 0), frame(300, 1)
    with Live(dir=str(tmp_path), dvcyaml=None, save_dvc_exp=False, report=None) as live:
        log_model_summary(live, fit_model(train, valid, "y", params, 0), valid, "y")
    assert "boosted_rounds" not in json.loads((tmp_path / "metrics.json").read_text())


def run_train(tmp_path, train: pd.DataFrame, valid: pd.DataFrame) -> None:
    params = yaml.safe_load((REPO / "params.yaml").read_text())
    params["data"]["target"] = "y"
    params["train"] |= {"model": "xgboost", "n_estimators": 40, "balance_classes": True}
    params["train"] |= {"monotone_increasing": [], "nthread": 1}
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    train.to_parquet(tmp_path / "train.parquet")
    valid.to_parquet(tmp_path / "valid.parquet")
    files = {name: str(tmp_path / f"{name}.parquet") for name in ("train", "valid")}
    main(
        [
            *("--train", files["train"], "--valid", files["valid"], "--live-dir"),
            *(str(tmp_path / "live"), "--model", str(tmp_path / "model.json")),
            *("--params", str(tmp_path / "params.yaml")),
        ]
    )


def test_train_saves_scores_that_are_churn_probabilities_when_classes_are_balanced(tmp_path):
    """Weighting the positives inflates every score; train undoes it before saving."""
    train, valid = frame(1500, 0), frame(600, 1)
    run_train(tmp_path, train, valid)
    scores = predict_proba(load_model(tmp_path / "model.json"), train[["x", "z"]])
    assert abs(scores.mean() - train["y"].mean()) < 0.03


@pytest.mark.parametrize(
    ("broken", "why"),
    [
        (lambda valid: valid.drop(columns="z"), r"missing feature column\(s\) z"),
        (lambda valid: valid.assign(z="a"), r"column\(s\) z not numeric"),
        (lambda valid: valid.assign(y="yes"), r"'y' \(data.target\) holds 'yes'"),
        (lambda valid: valid.assign(y=0), r"'y' \(data.target\) holds one class only"),
    ],
)
def test_a_broken_validation_matrix_is_refused_naming_it(tmp_path, broken, why):
    with pytest.raises(ChurnError, match=f"valid.parquet: .*{why}"):
        run_train(tmp_path, frame(300, 0), broken(frame(200, 1)))
    assert not (tmp_path / "model.json").exists()
