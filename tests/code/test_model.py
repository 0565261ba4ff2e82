"""Model artifact and training helpers: JSON round trips, constraints, class weights, curves."""

import json

import numpy as np
import pandas as pd
import pytest
import xgboost as xgb
from dvclive import Live
from sklearn.metrics import log_loss

from churn.errors import ChurnError
from churn.fitting import fit_xgboost, monotone_constraints, positive_weight, undo_positive_weight
from churn.model import load_model, parse_model, predict_proba, save_model, shift_log_odds
from churn.params import TrainParams
from churn.train import check_matrix, fit_model, log_model_summary
from churn.training_curves import TrainingSplitCurve, log_curves

PARAMS = TrainParams(
    model="xgboost",
    n_estimators=50,
    learning_rate=0.3,
    max_depth=3,
    min_child_weight=1,
    subsample=1.0,
    colsample_bytree=1.0,
    reg_lambda=1.0,
    early_stopping_rounds=5,
    balance_classes=True,
    nthread=1,
    monotone_increasing=["x"],
    logreg_c=1.0,
)


def toy_frame(rows: int = 400, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x, z = rng.normal(size=rows), rng.normal(size=rows)
    y = (x + 0.5 * z + rng.normal(scale=0.5, size=rows) > 0.8).astype(int)
    return pd.DataFrame({"x": x, "z": z, "y": y})


def noisy_frame(rows: int, seed: int = 0) -> pd.DataFrame:
    """Like churn: a minority label, far from separable."""
    rng = np.random.default_rng(seed)
    x, z = rng.normal(size=rows), rng.normal(size=rows)
    y = (x + 0.5 * z + rng.normal(scale=1.5, size=rows) > 2.0).astype(int)
    return pd.DataFrame({"x": x, "z": z, "y": y})


def test_positive_weight_and_constraints():
    assert positive_weight(pd.Series([1, 0, 0, 0]), balance=True) == 3.0
    assert positive_weight(pd.Series([1, 0, 0, 0]), balance=False) == 1.0
    assert monotone_constraints(["a", "x", "b"], ["x"]) == "(0,1,0)"


@pytest.mark.parametrize("kind", ["xgboost", "logistic_regression"])
def test_models_round_trip_through_json(tmp_path, kind):
    params = TrainParams(**{**PARAMS.__dict__, "model": kind})
    train, valid = toy_frame(), toy_frame(seed=1)
    model = fit_model(train, valid, "y", params, seed=0)
    path = tmp_path / "model.json"
    save_model(model, path)
    json.loads(path.read_text())  # JSON, not pickle
    loaded = load_model(path)
    features = valid.drop(columns="y")
    assert np.allclose(predict_proba(model, features), predict_proba(loaded, features))
    reordered = features[["z", "x"]]
    assert np.allclose(predict_proba(loaded, reordered), predict_proba(loaded, features))


def test_unknown_model_kind_is_a_clear_error():
    with pytest.raises(ChurnError, match="'train.model' should be xgboost or logistic_regression"):
        TrainParams(**{**PARAMS.__dict__, "model": "forest"})


def test_missing_or_broken_model_file(tmp_path):
    with pytest.raises(ChurnError, match="model not found"):
        load_model(tmp_path / "absent.json")
    with pytest.raises(ChurnError, match=f"^{tmp_path}: a folder, not a file$"):
        load_model(tmp_path)  # was an IsADirectoryError traceback
    (tmp_path / "bad.json").write_text("not json")
    with pytest.raises(ChurnError, match="not valid JSON"):
        load_model(tmp_path / "bad.json")


def test_parse_model_reads_saved_bytes_and_names_broken_ones(tmp_path):
    model = fit_model(toy_frame(), toy_frame(seed=1), "y", PARAMS, seed=0)
    save_model(model, tmp_path / "model.json")
    raw = (tmp_path / "model.json").read_bytes()
    assert parse_model(raw, "m").save_raw() == model.save_raw()
    with pytest.raises(ChurnError, match="^m: model file is not valid JSON"):
        parse_model(raw[: len(raw) // 2], "m")  # truncated XGBoost JSON
    with pytest.raises(ChurnError, match="^m: not an XGBoost model"):
        parse_model(b'{"learner": {}}', "m")
    with pytest.raises(ChurnError, match="^m: model file is not valid JSON"):
        parse_model(b"", "m")


def test_missing_feature_is_named(tmp_path):
    model = fit_model(toy_frame(), toy_frame(seed=1), "y", PARAMS, seed=0)
    with pytest.raises(ChurnError, match="not in the input: z"):
        predict_proba(model, toy_frame()[["x"]])
    with pytest.raises(ChurnError, match="^test.parquet: model expects feature"):
        predict_proba(model, toy_frame()[["x"]], "test.parquet")


def test_a_misspelt_monotone_feature_is_refused_with_the_near_miss():
    with pytest.raises(ChurnError, match=r"names 'days_ordr', .* \(did you mean 'days_order'\?\)"):
        monotone_constraints(["days_order", "x"], ["days_ordr"])
    params = TrainParams(**{**PARAMS.__dict__, "monotone_increasing": ["xx"]})
    with pytest.raises(ChurnError, match="train.monotone_increasing names 'xx'"):
        fit_model(toy_frame(), toy_frame(seed=1), "y", params, seed=0)
    logistic = TrainParams(**{**params.__dict__, "model": "logistic_regression"})
    assert fit_model(toy_frame(), toy_frame(seed=1), "y", logistic, seed=0)  # it has no constraints


def test_a_monotone_feature_other_data_lacks_is_skipped_with_a_warning(capsys):
    """Own data without the built-in column: nothing to constrain, said, not a failure."""
    assert monotone_constraints(["tenure", "orders"], ["days_since_last_order"]) == "(0,0)"
    assert "the model has no feature 'days_since_last_order'" in capsys.readouterr().err


def test_a_categorical_column_cannot_be_constrained():
    with pytest.raises(ChurnError, match="'country', a categorical column: only numeric"):
        monotone_constraints(["tenure", "country=SE", "country=DE"], ["country"])


def test_a_matrix_that_is_not_from_featurize_is_named():
    with pytest.raises(ChurnError, match=r"^v.parquet: missing feature column\(s\) z; not a model"):
        check_matrix(toy_frame()[["x", "y"]], ["x", "z"], "v.parquet")
    raw = toy_frame().assign(z="text")
    with pytest.raises(ChurnError, match=r"^t.parquet: column\(s\) z not numeric"):
        check_matrix(raw, ["x", "z"], "t.parquet")


def parse_evaluation(text: str) -> dict[str, float]:
    """XGBoost's own evaluation, the reference for the stage's training-split metrics:
    "[7]\ttrain-auc:0.83\ttrain-logloss:0.51" as {"auc": 0.83, "logloss": 0.51}."""
    fields = (item.split("-", 1)[1].split(":") for item in text.split("\t")[1:])
    return {name: float(value) for name, value in fields}


def test_evaluation_text_is_parsed():
    text = "[7]\ttrain-auc:0.8312\ttrain-logloss:0.51"
    assert parse_evaluation(text) == {"auc": 0.8312, "logloss": 0.51}


def test_curves_cover_every_round_for_valid_and_every_twentieth_for_train(tmp_path):
    params = TrainParams(**{**PARAMS.__dict__, "n_estimators": 25, "early_stopping_rounds": 100})
    booster, curves = fit_xgboost(toy_frame(), toy_frame(seed=1), "y", params, seed=0)
    assert booster.num_boosted_rounds() <= 25
    assert [len(values) for values in curves.valid.values()] == [25, 25]
    rounds = sorted({0, 20, 24, curves.best})  # every twentieth round, the last and the best
    assert sorted(curves.train) == rounds
    assert set(curves.train[24]) == {"auc", "logloss"}
    with Live(dir=str(tmp_path), dvcyaml=None, save_dvc_exp=False, report=None) as live:
        log_curves(live, curves)
    valid_rows = (tmp_path / "plots/metrics/valid/auc.tsv").read_text().splitlines()
    train_rows = (tmp_path / "plots/metrics/train/auc.tsv").read_text().splitlines()
    assert len(valid_rows) == 26
    assert [int(row.split("\t")[0]) for row in train_rows[1:]] == rounds


def test_the_training_summary_describes_the_saved_rounds_not_the_last_tried(tmp_path):
    """metrics.json gave the values of the last round tried (step 320), 40 rounds past the best
    one, where the saved model ends."""
    params = TrainParams(**{**PARAMS.__dict__, "n_estimators": 200, "early_stopping_rounds": 10})
    booster, curves = fit_xgboost(toy_frame(), toy_frame(seed=1), "y", params, seed=0)
    assert booster.num_boosted_rounds() == curves.best + 1
    assert len(curves.valid["logloss"]) == curves.best + 11  # ten rounds tried past the best
    with Live(dir=str(tmp_path), dvcyaml=None, save_dvc_exp=False, report=None) as live:
        log_curves(live, curves)
    summary = json.loads((tmp_path / "metrics.json").read_text())
    assert summary["step"] == curves.best
    assert summary["valid"]["logloss"] == curves.valid["logloss"][curves.best]
    saved = parse_evaluation(booster.eval_set([(xgb.DMatrix(toy_frame()[["x", "z"]],
                             label=toy_frame()["y"]), "train")]))  # fmt: skip
    assert summary["train"]["auc"] == pytest.approx(saved["auc"])


def test_the_best_rounds_training_scores_come_from_the_copy_kept_while_boosting():
    """Scoring the training split again with the kept rounds took a full prediction (0.24 s on
    80k rows); the copy kept whenever the validation log loss improved gives the same scores,
    and a copy of another round is never used."""
    train, valid = noisy_frame(3000), noisy_frame(1000, seed=1)
    dtrain = xgb.DMatrix(train[["x", "z"]], label=train["y"])
    dvalid = xgb.DMatrix(valid[["x", "z"]], label=valid["y"])
    curve = TrainingSplitCurve(dtrain)
    params = {"objective": "binary:logistic", "eval_metric": ["auc", "logloss"], "eta": 0.3}
    booster = xgb.train(params, dtrain, 200, evals=[(dvalid, "valid")],
                        early_stopping_rounds=5, callbacks=[curve], verbose_eval=False)  # fmt: skip
    best = booster.best_iteration
    assert curve.best_epoch == best < booster.num_boosted_rounds() - 1
    kept = booster[: best + 1]
    rescored = parse_evaluation(kept.eval_set([(dtrain, "train")], best))
    from_copy = curve.best_point(kept, best)
    assert from_copy == pytest.approx(rescored, rel=1e-6)
    curve.best_epoch = best - 1  # as if the copy were of another round: scored again
    assert curve.best_point(kept, best) == pytest.approx(rescored, rel=1e-6)


@pytest.mark.parametrize("kind", ["xgboost", "logistic_regression"])
def test_a_class_weighted_model_scores_churn_probabilities(kind):
    """Weighting positives by negatives/positives inflated every score's odds by that ratio:
    the mean score was about 2.5x the churn rate. The correction keeps the ranking."""
    params = TrainParams(**{**PARAMS.__dict__, "model": kind})
    train, valid = noisy_frame(4000), noisy_frame(4000, seed=1)
    assert 0.1 < train["y"].mean() < 0.25
    weighted = fit_model(train, valid, "y", params, seed=0)
    before = predict_proba(weighted, valid[["x", "z"]])
    corrected = undo_positive_weight(weighted, train["y"], balance=True)
    after = predict_proba(corrected, valid[["x", "z"]])
    assert before.mean() > valid["y"].mean() + 0.1  # what the weighting alone gives
    assert abs(after.mean() - valid["y"].mean()) < 0.03
    assert (np.argsort(after, kind="stable") == np.argsort(before, kind="stable")).mean() > 0.99


def test_the_correction_is_stored_in_the_model_file(tmp_path):
    params = TrainParams(**{**PARAMS.__dict__, "n_estimators": 10})
    model = fit_model(toy_frame(), toy_frame(seed=1), "y", params, seed=0)
    rows = toy_frame(seed=2)[["x", "z"]]
    margins = model.inplace_predict(rows.to_numpy(np.float32), predict_type="margin")
    save_model(shift_log_odds(model, -1.5), tmp_path / "model.json")
    loaded = load_model(tmp_path / "model.json")
    shifted = loaded.inplace_predict(rows.to_numpy(np.float32), predict_type="margin")
    np.testing.assert_allclose(shifted, margins - 1.5, atol=1e-5)
    unchanged = model.inplace_predict(rows.to_numpy(np.float32), predict_type="margin")
    np.testing.assert_array_equal(unchanged, margins)  # it shifted the booster passed in too
    assert undo_positive_weight(loaded, pd.Series([1, 0]), balance=True) is loaded  # w = 1


@pytest.mark.parametrize("raw", [b"[]", b"null", b"5", b'"model"'])
def test_valid_json_that_is_no_model_is_one_line_naming_the_file(raw):
    """A model file holding `[]` or `null` was an AttributeError traceback (the server: "Attribute
    app not found")."""
    with pytest.raises(ChurnError, match=r"^m\.json: not an XGBoost model \(a JSON \w+\)$"):
        parse_model(raw, "m.json")
    with pytest.raises(ChurnError, match=r"^m\.json: not a logistic model written by churn\.train"):
        parse_model(b'{"kind": "churn-logistic-regression"}', "m.json")


def test_base_seed_reaches_the_booster():
    """With row subsampling the seed decides the trees: the same seed gives the same model
    file, another seed another model (base.seed would else seed nothing)."""
    params = TrainParams(**{**PARAMS.__dict__, "subsample": 0.6, "colsample_bytree": 0.6})
    train, valid = noisy_frame(2000, seed=1), noisy_frame(600, seed=2)

    def model_bytes(seed: int) -> bytes:
        booster, _ = fit_xgboost(train, valid, "y", params, seed)
        return booster.save_raw("json")

    assert model_bytes(3) == model_bytes(3)
    assert model_bytes(3) != model_bytes(4)


def test_early_stopping_judges_the_validation_loss_weighted_as_the_training_objective():
    """With train.balance_classes the objective weights each positive by negatives/positives;
    the validation log loss early stopping judged was unweighted, so with few churners it
    rewarded ever more confident negatives and kept falling while the model overfit: an export
    with 8% churners trained all 600 rounds (validation ROC AUC peaked near round 100), test ROC
    AUC 0.64 where stopping on the weighted loss (round 46) gave 0.68."""
    train, valid = noisy_frame(3000), noisy_frame(2000, seed=1)
    params = TrainParams(**{**PARAMS.__dict__, "n_estimators": 60, "early_stopping_rounds": 60})
    booster, curves = fit_xgboost(train, valid, "y", params, seed=0)
    weight = positive_weight(train["y"], balance=True)
    assert weight > 3  # few positives: the case where the two losses part
    logged = {"valid": curves.valid["logloss"][curves.best]}
    logged["train"] = curves.train[curves.best]["logloss"]  # the training curve alike
    for split, frame in (("valid", valid), ("train", train)):
        labels = frame["y"].to_numpy()
        scores = booster.predict(xgb.DMatrix(frame[["x", "z"]]))  # uncorrected, as in training
        weighted = log_loss(labels, scores, sample_weight=np.where(labels == 1, weight, 1.0))
        assert logged[split] == pytest.approx(weighted, rel=1e-5), split


def test_the_logistic_models_curves_are_on_the_training_objectives_scale_as_xgboosts(tmp_path):
    """metrics/train's train/logloss and valid/logloss weigh positives by the class ratio and
    score before the prior correction, as XGBoost's curves do: the logistic model's were the
    corrected model's unweighted loss (0.34 where XGBoost's read 0.53), so comparing the two
    models' runs compared two scales."""
    params = TrainParams(**{**PARAMS.__dict__, "model": "logistic_regression"})
    train, valid = noisy_frame(3000), noisy_frame(2000, seed=1)
    weight = positive_weight(train["y"], balance=True)
    with Live(dir=str(tmp_path), dvcyaml=None, save_dvc_exp=False, report=None) as live:
        fitted = fit_model(train, valid, "y", params, 0, live)  # as train.main runs it
        model = undo_positive_weight(fitted, train["y"], balance=True)
        log_model_summary(live, model, valid, "y")
    summary = json.loads((tmp_path / "metrics.json").read_text())
    for split, frame in (("train", train), ("valid", valid)):
        labels = frame["y"].to_numpy()
        scores = predict_proba(fitted, frame[["x", "z"]])  # uncorrected, as in training
        weighted = log_loss(labels, scores, sample_weight=np.where(labels == 1, weight, 1.0))
        assert summary[split]["logloss"] == pytest.approx(weighted, abs=1e-6), split
    corrected = log_loss(valid["y"], predict_proba(model, valid[["x", "z"]]))
    assert summary["valid_log_loss"] == pytest.approx(corrected, abs=1e-6)  # the saved model's


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_training_curves_metrics_are_sklearns(seed):
    """The training split's AUC and weighted log loss, computed with numpy (sklearn's took a
    tenth of the train stage), are sklearn's values, ties and clipped scores included."""
    from sklearn.metrics import log_loss, roc_auc_score

    from churn.training_curves import ranked_auc, weighted_log_loss

    rng = np.random.default_rng(seed)
    labels = (rng.random(5000) < 0.2).astype(np.float32)
    scores = 1.0 / (1.0 + np.exp(-np.round(rng.normal(size=5000) + 3 * labels, 1)))
    scores[:10] = [0.0, 1.0] * 5  # clipped as sklearn clips them
    weights = np.where(labels == 1, 3.5, 1.0)
    auc = roc_auc_score(labels, scores, sample_weight=weights)
    assert ranked_auc(labels, scores) == pytest.approx(auc, rel=1e-12)
    loss = log_loss(labels, scores, sample_weight=weights, labels=[0, 1])
    assert weighted_log_loss(labels, scores, weights) == pytest.approx(loss, rel=1e-12)
