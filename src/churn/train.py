"""Train stage: fit the churn classifier (XGBoost or logistic regression) with early stopping."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import xgboost as xgb
from dvclive import Live
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss, roc_auc_score

from churn.data_params import DataParams, check_data_columns
from churn.errors import ChurnError, did_you_mean, listing, run_cli
from churn.model import ChurnModel, LogisticModel, predict_proba, save_model, shift_log_odds
from churn.params import PARAMS_FILE, TrainParams, load_section
from churn.stage_live import open_live
from churn.tables import read_parquet
from churn.training_curves import Curves, TrainingSplitCurve, log_curves
from churn.typed_sections import ParamsValueError, naming_params_file

MODELS = ("xgboost", "logistic_regression")


def positive_weight(labels: pd.Series, balance: bool) -> float:
    """Weight of a positive example: negatives/positives when balancing, else 1."""
    positives = float(labels.sum())
    return (len(labels) - positives) / positives if balance and positives else 1.0


def undo_positive_weight(model: ChurnModel, labels: pd.Series, balance: bool) -> ChurnModel:
    """Prior correction: weighting positives by w during training inflates every score's odds
    by w (mean score 0.40 against a churn rate of 0.16 here); dividing them back out makes the
    saved model's scores churn probabilities again, for log loss, Brier, calibration, the
    threshold and the API alike, while the weighting still shapes the trees."""
    weight = positive_weight(labels, balance)
    return model if weight == 1.0 else shift_log_odds(model, -float(np.log(weight)))


def monotone_constraints(features: Sequence[str], increasing: Sequence[str]) -> str:
    """XGBoost's constraint tuple: +1 for features whose growth must not lower the risk. A name
    close to a feature is a misspelling that would quietly constrain nothing: refused. A name
    like no feature (the built-in data's column, with other data) constrains nothing, said on
    stderr, as evaluate says of slices whose columns the data lacks."""
    for name in increasing:
        if name in features:
            continue
        if any(feature.startswith(f"{name}=") for feature in features):
            raise ParamsValueError(
                f"train.monotone_increasing names '{name}', a categorical column: "
                "only numeric features can be constrained"
            )
        hint = did_you_mean(name, features)
        if hint:
            raise ParamsValueError(
                f"train.monotone_increasing names '{name}', which is not a model feature{hint}"
            )
        print(
            f"train: warning: train.monotone_increasing: the data has no feature '{name}'; "
            "nothing constrained for it",
            file=sys.stderr,
        )
    return "(" + ",".join("1" if name in increasing else "0" for name in features) + ")"


def booster_params(features: Sequence[str], labels: pd.Series, params: TrainParams, seed: int):
    """The XGBoost parameter dict for these features and labels."""
    return {
        "objective": "binary:logistic",
        "eval_metric": ["auc", "logloss"],
        "tree_method": "hist",
        "eta": params.learning_rate,
        "max_depth": params.max_depth,
        "min_child_weight": params.min_child_weight,
        "subsample": params.subsample,
        "colsample_bytree": params.colsample_bytree,
        "lambda": params.reg_lambda,
        "scale_pos_weight": positive_weight(labels, params.balance_classes),
        "monotone_constraints": monotone_constraints(features, params.monotone_increasing),
        "nthread": params.nthread,
        "seed": seed,
    }


def fit_xgboost(
    train: pd.DataFrame, valid: pd.DataFrame, target: str, params: TrainParams, seed: int
) -> tuple[xgb.Booster, Curves]:
    """Boost on the training split, stop early on the validation split, keep the best rounds."""
    features = [column for column in train.columns if column != target]
    dtrain = xgb.DMatrix(train[features], label=train[target], nthread=params.nthread)
    dvalid = xgb.DMatrix(valid[features], label=valid[target], nthread=params.nthread)
    history: dict = {}
    train_curve = TrainingSplitCurve(dtrain)
    booster = xgb.train(
        booster_params(features, train[target], params, seed),
        dtrain,
        num_boost_round=params.n_estimators,
        evals=[(dvalid, "valid")],
        early_stopping_rounds=params.early_stopping_rounds,
        evals_result=history,
        callbacks=[train_curve],
        verbose_eval=False,
    )
    best = booster.best_iteration
    kept = booster[: best + 1]
    train_curve.points[best] = train_curve.best_point(kept, best, dtrain.get_label())
    return kept, Curves(history["valid"], train_curve.points, best)


def fit_logistic(train: pd.DataFrame, target: str, params: TrainParams, seed: int) -> LogisticModel:
    """Logistic regression on median-imputed, standardised features."""
    features = [column for column in train.columns if column != target]
    matrix = train[features].to_numpy(dtype=np.float64)
    medians = np.nan_to_num(np.nanmedian(matrix, axis=0))
    filled = np.where(np.isnan(matrix), medians, matrix)
    means, scales = filled.mean(axis=0), filled.std(axis=0)
    scales[scales == 0] = 1.0
    classifier = LogisticRegression(
        C=params.logreg_c,
        max_iter=2000,
        random_state=seed,
        class_weight="balanced" if params.balance_classes else None,
    ).fit((filled - means) / scales, train[target])
    return LogisticModel(
        features,
        medians.tolist(),
        means.tolist(),
        scales.tolist(),
        classifier.coef_[0].tolist(),
        float(classifier.intercept_[0]),
    )


def fit_model(
    train: pd.DataFrame,
    valid: pd.DataFrame,
    target: str,
    params: TrainParams,
    seed: int,
    live: Live | None = None,
) -> ChurnModel:
    """Fit the model named by train.model, logging per-round curves to live when given."""
    if params.model == "xgboost":
        booster, curves = fit_xgboost(train, valid, target, params, seed)
        if live is not None:
            log_curves(live, curves)
        return booster
    if params.model == "logistic_regression":
        return fit_logistic(train, target, params, seed)
    raise ParamsValueError(f"train.model must be one of {MODELS}, got {params.model!r}")


def log_scores(live: Live, model: ChurnModel, splits: dict[str, pd.DataFrame], target: str) -> None:
    """Log ROC AUC and log loss per split under the names XGBoost's curves use."""
    for name, split in splits.items():
        scores = predict_proba(model, split.drop(columns=target))
        live.log_metric(f"{name}/auc", round(float(roc_auc_score(split[target], scores)), 6))
        live.log_metric(f"{name}/logloss", round(float(log_loss(split[target], scores)), 6))


def log_model_summary(
    live: Live, model: ChurnModel, train: pd.DataFrame, valid: pd.DataFrame, target: str
) -> None:
    """Rounds boosted (or, for one fit, single-point curves), and the saved model's validation
    ROC AUC and log loss."""
    if isinstance(model, xgb.Booster):
        live.log_metric("boosted_rounds", model.num_boosted_rounds(), plot=False)
    else:  # one fit, no rounds: the curves get a single point so every plot file exists
        log_scores(live, model, {"train": train, "valid": valid}, target)
    valid_scores = predict_proba(model, valid.drop(columns=target))
    valid_auc = roc_auc_score(valid[target], valid_scores)
    live.log_metric("valid_roc_auc", round(float(valid_auc), 6), plot=False)
    valid_loss = log_loss(valid[target], valid_scores, labels=[0, 1])
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
    """Both matrices carry the label (data.target) and the training matrix's numeric features."""
    check_data_columns(train.columns, data, str(args.train), roles=("target",))
    check_data_columns(valid.columns, data, str(args.valid), roles=("target",))
    features = [name for name in train.columns if name != data.target]
    check_matrix(train, features, str(args.train))
    check_matrix(valid, features, str(args.valid))


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="churn.train", description=__doc__)
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
    train, valid, target = read_parquet(args.train), read_parquet(args.valid), data.target
    check_inputs(train, valid, data, args)
    with naming_params_file(args.params), open_live(args.live_dir) as live:
        model = fit_model(train, valid, target, params, seed, live)
        model = undo_positive_weight(model, train[target], params.balance_classes)
        log_model_summary(live, model, train, valid, target)
    save_model(model, args.model)
    print(f"train: {params.model}, validation ROC AUC {live.summary['valid_roc_auc']:.4f}")


if __name__ == "__main__":
    run_cli(main, "churn.train")
