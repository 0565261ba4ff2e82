"""How each kind of churn model is fitted: XGBoost (hist) with early stopping on the validation
split, or logistic regression on imputed, standardised features; positives weighted when the
classes are balanced, and that weighting undone in the saved scores."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from churn.errors import did_you_mean
from churn.model import ChurnModel, LogisticModel, keep_feature_names, shift_log_odds, xgboost_names
from churn.params import TrainParams
from churn.training_curves import Curves, TrainingSplitCurve
from churn.typed_sections import ParamsValueError
from churn.xgboost_import import xgb


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
    like no feature (the built-in data's column, with other data, or one featurize left out as
    constant in the training split) constrains nothing, said on stderr, as evaluate says of
    slices whose columns the data lacks."""
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
            f"train: warning: train.monotone_increasing: the model has no feature '{name}' "
            "(not in the data, or left out by featurize: see left_out in models/features.json); "
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


def training_matrix(
    frame: pd.DataFrame, features: list[str], target: str, nthread: int, positive: float = 1.0
) -> xgb.DMatrix:
    """The features and label as XGBoost reads them, [, ] and < in names escaped; each positive
    row weighted by positive (1: no weights)."""
    names = xgboost_names(features)
    labels = frame[target]
    weight = None if positive == 1.0 else np.where(labels.to_numpy() == 1, positive, 1.0)
    return xgb.DMatrix(frame[features], labels, weight=weight, nthread=nthread, feature_names=names)


def fit_xgboost(
    train: pd.DataFrame, valid: pd.DataFrame, target: str, params: TrainParams, seed: int
) -> tuple[xgb.Booster, Curves]:
    """Boost on the training split, stop early on the validation split, keep the best rounds."""
    features = [column for column in train.columns if column != target]
    dtrain = training_matrix(train, features, target, params.nthread)
    # Early stopping judges the validation log loss, weighted as the training objective is
    # (scale_pos_weight): unweighted, it rewarded ever more confident negatives, so with few
    # churners it fell for all 600 rounds while the validation AUC had peaked at round 100.
    weight = positive_weight(train[target], params.balance_classes)
    dvalid = training_matrix(valid, features, target, params.nthread, weight)
    history: dict = {}
    train_curve = TrainingSplitCurve(dtrain, positive=weight)
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
    train_curve.points[best] = train_curve.best_point(kept, best)
    return keep_feature_names(kept, features), Curves(history["valid"], train_curve.points, best)


def fit_logistic(train: pd.DataFrame, target: str, params: TrainParams, seed: int) -> LogisticModel:
    """Logistic regression on median-imputed, standardised features, fitted on one thread.
    scikit-learn is imported here: training XGBoost, the default, starts 1.3 s sooner without it."""
    from sklearn.linear_model import LogisticRegression

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
    )
    # One BLAS/OpenMP thread: split over the machine's cores, the gradient's sums changed the
    # coefficients' last digits, hence the model's md5 in dvc.lock, with the core count.
    with threadpool_limits(limits=1):
        classifier.fit((filled - means) / scales, train[target])
    return LogisticModel(
        features,
        medians.tolist(),
        means.tolist(),
        scales.tolist(),
        classifier.coef_[0].tolist(),
        float(classifier.intercept_[0]),
    )
