"""Train stage: fit the churn classifier (XGBoost or logistic regression) with early stopping."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from dvclive import Live

from churn.data_params import DataParams, check_label_column
from churn.errors import ChurnError, CliParser, listing, run_cli
from churn.fitting import fit_logistic, fit_xgboost, positive_weight, undo_positive_weight
from churn.model import ChurnModel, predict_proba, save_model
from churn.outputs import check_destination
from churn.params import PARAMS_FILE, TrainParams, load_section
from churn.stage_live import open_live
from churn.tables import read_parquet
from churn.training_curves import log_curves, ranked_auc, weighted_log_loss
from churn.typed_sections import naming_params_file
from churn.xgboost_import import xgb


def fit_model(
    train: pd.DataFrame,
    valid: pd.DataFrame,
    target: str,
    params: TrainParams,
    seed: int,
    live: Live | None = None,
) -> ChurnModel:
    """Fit the model train.model names (xgboost or logistic_regression), logging per-round
    curves to live when given."""
    if params.model == "xgboost":
        booster, curves = fit_xgboost(train, valid, target, params, seed)
        if live is not None:
            log_curves(live, curves)
        return booster
    model = fit_logistic(train, target, params, seed)  # TrainParams allows these two MODELS
    if live is not None:  # one fit, no rounds: the curves get a single point so every plot exists
        weight = positive_weight(train[target], params.balance_classes)
        log_scores(live, model, {"train": train, "valid": valid}, target, weight)
    return model


def log_scores(
    live: Live, model: ChurnModel, splits: dict[str, pd.DataFrame], target: str, positive: float
) -> None:
    """Log ROC AUC and log loss per split under the names XGBoost's curves use, on their scale:
    the scores before the prior correction, each positive weighing positive (as in training)."""
    for name, split in splits.items():
        scores, labels = predict_proba(model, split.drop(columns=target)), split[target]
        labels = labels.to_numpy()
        weights = np.where(labels == 1, positive, 1.0)
        live.log_metric(f"{name}/auc", round(ranked_auc(labels, scores), 6))
        loss = weighted_log_loss(labels, scores, weights)  # as the training-split curve's
        live.log_metric(f"{name}/logloss", round(loss, 6))


def log_model_summary(live: Live, model: ChurnModel, valid: pd.DataFrame, target: str) -> None:
    """Rounds boosted (XGBoost), and the saved model's validation ROC AUC and log loss."""
    if isinstance(model, xgb.Booster):
        live.log_metric("boosted_rounds", model.num_boosted_rounds(), plot=False)
    valid_scores = predict_proba(model, valid.drop(columns=target))
    labels = valid[target].to_numpy()
    live.log_metric("valid_roc_auc", round(ranked_auc(labels, valid_scores), 6), plot=False)
    valid_loss = weighted_log_loss(labels, valid_scores, np.ones(len(labels)))
    live.log_metric("valid_log_loss", round(float(valid_loss), 6), plot=False)


def check_matrix(matrix: pd.DataFrame, features: Sequence[str], where: str) -> None:
    """Refuse a file that is not a model matrix (as churn.featurize writes them): it lacks one
    of the features, or holds one that is not numeric."""
    missing = [name for name in features if name not in matrix.columns]
    if missing:
        raise ChurnError(
            f"{where}: missing feature column(s) {listing(missing)}; "
            "not a model matrix from churn.featurize?"
        )
    text = [name for name in features if not pd.api.types.is_numeric_dtype(matrix[name])]
    if text:
        raise ChurnError(
            f"{where}: column(s) {listing(text)} not numeric; not a model matrix from "
            "churn.featurize?"
        )


def check_inputs(train: pd.DataFrame, valid: pd.DataFrame, data: DataParams, args) -> None:
    """Both matrices carry the label (data.target) as 0/1 with both classes (one class only, the
    weighting and early stopping's AUC broke: a model scoring 1.0 everywhere, or a traceback)
    and the training matrix's numeric features."""
    for frame, path in ((train, args.train), (valid, args.valid)):
        check_label_column(frame, data, str(path))
    features = [name for name in train.columns if name != data.target]
    check_matrix(train, features, str(args.train))
    check_matrix(valid, features, str(args.valid))


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = CliParser(prog="churn.train", description=__doc__)
    parser.add_argument("--train", required=True, type=Path, help="training model matrix")
    parser.add_argument("--valid", required=True, type=Path, help="validation model matrix")
    parser.add_argument("--model", required=True, type=Path, help="model JSON to write")
    parser.add_argument("--live-dir", required=True, type=Path, help="dvclive folder")
    parser.add_argument("--params", type=Path, default=PARAMS_FILE)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    params = load_section("train", args.params)
    data, seed = load_section("data", args.params), load_section("base", args.params).seed
    check_destination(str(args.model))  # before minutes of training, not after
    check_destination(str(args.live_dir), folder=True)
    train, valid, target = read_parquet(args.train), read_parquet(args.valid), data.target
    check_inputs(train, valid, data, args)
    with naming_params_file(args.params), open_live(args.live_dir) as live:
        model = fit_model(train, valid, target, params, seed, live)
        model = undo_positive_weight(model, train[target], params.balance_classes)
        log_model_summary(live, model, valid, target)
    save_model(model, args.model)
    print(f"train: {params.model}, validation ROC AUC {live.summary['valid_roc_auc']:.4f}")


if __name__ == "__main__":
    run_cli(main, "churn.train")
