"""Each train.* hyperparameter reaches the model it fits (mutants of churn.fitting that set one
to XGBoost's or scikit-learn's default survived every other test)."""

import dataclasses

import numpy as np
import pandas as pd

from churn.fitting import booster_params, fit_logistic
from churn.params import TrainParams

PARAMS = TrainParams(
    model="xgboost",
    n_estimators=7,
    learning_rate=0.07,
    max_depth=4,
    min_child_weight=2.5,
    subsample=0.8,
    colsample_bytree=0.6,
    reg_lambda=3.5,
    early_stopping_rounds=3,
    balance_classes=False,
    nthread=2,
    monotone_increasing=["x"],
    logreg_c=0.01,
)


def toy(rows: int = 300) -> pd.DataFrame:
    rng = np.random.default_rng(5)
    x, z = rng.normal(size=rows), rng.normal(size=rows)
    z[::7] = np.nan
    y = (x + 0.3 * np.nan_to_num(z) + rng.normal(scale=0.8, size=rows) > 1.2).astype(int)
    return pd.DataFrame({"x": x, "z": z, "flat": 1.0, "y": y})


def test_every_boosting_parameter_reaches_xgboost():
    labels = pd.Series([0, 0, 0, 1])
    found = booster_params(["x", "z"], labels, PARAMS, seed=11)
    assert {name: found[name] for name in ("eta", "max_depth", "min_child_weight")} == {
        "eta": 0.07,
        "max_depth": 4,
        "min_child_weight": 2.5,
    }
    assert (found["subsample"], found["colsample_bytree"], found["lambda"]) == (0.8, 0.6, 3.5)
    assert (found["nthread"], found["seed"], found["scale_pos_weight"]) == (2, 11, 1.0)
    assert found["monotone_constraints"] == "(1,0)"
    balanced = dataclasses.replace(PARAMS, balance_classes=True)
    assert booster_params(["x", "z"], labels, balanced, seed=11)["scale_pos_weight"] == 3.0


def logistic(**changes):
    return fit_logistic(toy(), "y", dataclasses.replace(PARAMS, **changes), seed=0)


def test_the_logistic_regularisation_and_class_weights_reach_the_fit():
    strong, weak = logistic(logreg_c=0.01), logistic(logreg_c=100.0)
    assert np.abs(strong.coef).sum() < 0.5 * np.abs(weak.coef).sum()
    unweighted, balanced = logistic(), logistic(balance_classes=True)
    assert balanced.intercept > unweighted.intercept + 0.5  # positives weigh more: higher odds


def test_the_logistic_fit_imputes_medians_and_leaves_constant_features_unscaled():
    model = logistic()
    frame = toy()
    assert model.medians[1] == float(np.nanmedian(frame["z"]))
    assert model.medians[1] != float(np.nanmean(frame["z"]))
    assert model.scales[2] == 1.0 and model.means[2] == 1.0  # "flat": no division by zero
    assert np.isfinite(model.coef).all()
