"""Features constant in the training split are left out of the feature spec, and named."""

import json

import numpy as np
import pandas as pd
import pytest

from churn.constant_features import drop_constant_features
from churn.errors import ChurnError
from churn.features import FeatureSpec, fit_feature_spec
from churn.model_matrix import count_unknown, transform
from tests.helpers import featurize_splits

ROWS = 40


def own_split(rows: int, newest: bool) -> pd.DataFrame:
    """A split of someone's export: names and e-mails (each seen once), a column that only the
    newest month has, one that never changes, and columns that do carry something."""
    at = np.arange(rows)
    return pd.DataFrame(
        {
            "customer_id": [f"c{newest}{i}" for i in at],
            "Surname": [f"name {newest} {i}" for i in at],
            "E-Mail": [f"u{newest}{i}@example.com" for i in at],
            "loyalty_points": at * 1.0 if newest else np.nan,
            "country": "DE",
            "plan": np.where(at % 2, "free", "plus"),
            "coupon": np.where(at % 3, None, "X1"),  # present or missing: that says something
            "tenure": at % 7,
            "gift_wrap": 0,
            "churned": at % 2,
        }
    )


def run_featurize(tmp_path) -> FeatureSpec:
    splits = {name: own_split(ROWS, name == "test") for name in ("train", "valid", "test")}
    return FeatureSpec.load(featurize_splits(tmp_path, splits, timestamp=""))


def test_featurize_leaves_out_features_constant_in_training_and_says_why(tmp_path, capsys):
    """They were trained on and served as constants: every Surname __unknown__, loyalty_points
    missing in every training row; scoring summaries then reported unknown_categories
    {"Surname": 40} as an alarm."""
    spec = run_featurize(tmp_path)
    assert capsys.readouterr().err == (
        "featurize: left out 5 feature(s) constant in the training split: 'loyalty_points' "
        "(missing in every training row), 'gift_wrap' (one value, 0, in every training row), "
        "'Surname' (every value rarer than featurize.min_category_count: 5), 'E-Mail' (every "
        "value rarer than featurize.min_category_count: 5), 'country' (one value, 'DE', in "
        "every training row)\n"
    )
    assert spec.input_columns == ["tenure", "coupon", "plan"]  # categories sorted in JSON
    assert set(spec.left_out) == {"loyalty_points", "gift_wrap", "Surname", "E-Mail", "country"}
    assert json.loads((tmp_path / "f.json").read_text())["left_out"] == spec.left_out
    test = own_split(ROWS, True)
    assert count_unknown(test, spec) == {"coupon": 0, "plan": 0}  # no Surname alarm
    matrix = pd.read_parquet(tmp_path / "proc" / "test.parquet")
    assert sorted(matrix.columns) == sorted([*spec.feature_names, "churned"])


def test_engineered_features_go_with_the_columns_they_are_built_from():
    train = pd.DataFrame(
        {"orders_30d": [1.0, 2, 0, 4], "orders_90d": 3.0, "returns_90d": [0.0, 1, 0, 2],
         "sessions_30d": [3.0, 1, 4, 1], "churned": [0, 1, 0, 1]}
    )  # fmt: skip
    full = fit_feature_spec(train, ["churned"], 1)
    assert full.engineered == ["orders_per_session", "order_trend", "return_rate"]
    spec = drop_constant_features(train, full, 1, "train.parquet")
    assert spec.numeric == ["orders_30d", "returns_90d", "sessions_30d"]
    assert spec.engineered == ["orders_per_session"]
    assert spec.left_out == {
        "orders_90d": "one value, 3, in every training row",
        "order_trend": "built from 'orders_90d', left out",
        "return_rate": "built from 'orders_90d', left out",
    }
    assert FeatureSpec.from_json(spec.to_json()) == spec
    assert list(transform(train, spec).columns) == spec.feature_names


def test_a_spec_with_nothing_constant_is_unchanged_and_written_as_before():
    """The built-in data's spec: no left_out field, so models/features.json stays byte-equal."""
    train = own_split(ROWS, True)[["plan", "coupon", "tenure", "churned"]]
    spec = fit_feature_spec(train, ["churned"], 5)
    assert drop_constant_features(train, spec, 5, "t") is spec
    assert "left_out" not in json.loads(spec.to_json())


def test_a_training_split_where_nothing_varies_is_one_line_naming_the_file():
    train = own_split(ROWS, False)[["Surname", "country", "churned"]]
    spec = fit_feature_spec(train, ["churned"], 5)
    message = (
        r"^split/train\.parquet: no feature varies in the training split \(left out 2 "
        r"feature\(s\) constant .*'country' \(one value, 'DE', in every training row\)\)$"
    )
    with pytest.raises(ChurnError, match=message):
        drop_constant_features(train, spec, 5, "split/train.parquet")


@pytest.mark.parametrize("left_out", [[], {"x": 1}, {"x": ["why"]}])
def test_a_left_out_field_of_the_wrong_shape_is_named(left_out):
    raw = {"numeric": [], "categorical": {}, "engineered": [], "left_out": left_out, "version": 1}
    with pytest.raises(ChurnError, match=r"^f\.json: not a feature spec .*\(left_out: expected"):
        FeatureSpec.from_json(json.dumps(raw), "f.json")


def test_a_number_with_one_value_and_some_rows_missing_is_kept():
    """Present or missing says something (as for 'coupon'): only one value in every row, or
    none at all, is constant."""
    train = pd.DataFrame({"referred": [1.0, np.nan] * 10, "churned": [0, 1] * 10})
    spec = fit_feature_spec(train, ["churned"], 5)
    assert drop_constant_features(train, spec, 5, "t") is spec
    assert spec.numeric == ["referred"]


def test_a_date_column_is_left_out_not_one_hot_encoded_as_categories(tmp_path, capsys):
    """A signup_date (a contract's datetime column) became one category per date seen 5 times:
    every later date, such as all of the newest month's, was __unknown__, and nothing said so."""
    dates = pd.Timestamp("2025-01-01") + pd.to_timedelta(np.arange(ROWS) % 4, unit="D")
    splits = {
        name: own_split(ROWS, False).assign(signup_date=dates)
        for name in ("train", "valid", "test")
    }
    spec = FeatureSpec.load(featurize_splits(tmp_path, splits, timestamp=""))
    assert "signup_date" not in spec.input_columns
    assert spec.left_out["signup_date"].startswith("dates: the model reads no dates")
    assert "; left out date column(s) 'signup_date' (the model reads no dates" in (
        capsys.readouterr().err
    )
