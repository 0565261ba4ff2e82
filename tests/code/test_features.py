"""Feature spec and transform: the logic shared by training and serving."""

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from churn.errors import ChurnError
from churn.features import MISSING, UNKNOWN, FeatureSpec, fit_feature_spec
from churn.model_matrix import count_unknown, level_codes, transform

TRAIN = pd.DataFrame(
    {
        "customer_id": ["a", "b", "c", "d"],
        "orders_30d": [1, 0, 2, 3],
        "orders_90d": [3, 0, 2, 6],
        "device": ["mobile", "desktop", "mobile", None],
        "churned": [0, 1, 0, 1],
    }
)


def spec_of(frame: pd.DataFrame = TRAIN, min_count: int = 1) -> FeatureSpec:
    return fit_feature_spec(frame, ["customer_id", "churned"], min_count)


def test_spec_separates_numeric_categorical_and_engineered():
    spec = spec_of()
    assert spec.numeric == ["orders_30d", "orders_90d"]
    assert spec.categorical == {"device": ["desktop", "mobile", MISSING, UNKNOWN]}
    assert spec.engineered == ["order_trend"]
    assert "customer_id" not in spec.feature_names and "churned" not in spec.feature_names


def test_rare_categories_fall_into_unknown():
    assert spec_of(min_count=2).categorical["device"] == ["mobile", MISSING, UNKNOWN]


def test_transform_orders_columns_and_encodes_missing_and_unseen():
    spec = spec_of()
    scoring = pd.DataFrame(
        {"device": ["tablet", None, "mobile"], "orders_90d": [0, 3, 3], "orders_30d": [0, 1, 3]}
    )
    matrix = transform(scoring, spec)
    assert list(matrix.columns) == spec.feature_names
    assert matrix[f"device={UNKNOWN}"].tolist() == [1, 0, 0]
    assert matrix[f"device={MISSING}"].tolist() == [0, 1, 0]
    assert matrix["device=mobile"].tolist() == [0, 0, 1]
    assert np.isnan(matrix["order_trend"].iloc[0]) and matrix["order_trend"].iloc[2] == 3.0
    assert count_unknown(scoring, spec) == {"device": 1}


def test_level_codes_send_missing_and_unseen_values_to_their_levels():
    levels = ["a", "b", MISSING, UNKNOWN]
    column = pd.Series(["b", None, "z", "a", MISSING, "b", np.nan], dtype=object)
    assert level_codes(column, levels).tolist() == [1, 2, 3, 0, 3, 1, 2]
    assert level_codes(pd.Series([1.0, None]), ["1.0", MISSING, UNKNOWN]).tolist() == [0, 1]
    frame = pd.DataFrame({"device": column, "orders_30d": 1.0, "orders_90d": 1.0})
    assert count_unknown(frame, spec_of()) == {"device": 5}


def test_transform_ignores_extra_columns_and_names_missing_ones():
    spec = spec_of()
    extra = TRAIN.assign(new_column=1.0)
    assert list(transform(extra, spec).columns) == spec.feature_names
    with pytest.raises(ChurnError, match="batch.csv: missing feature column.*device"):
        transform(TRAIN.drop(columns="device"), spec, "batch.csv")


def test_numbers_beyond_float32_are_infinite_in_the_matrix_without_a_warning():
    """The matrix is float32: 1e39 is +inf there, as in training's matrix; numpy's overflow
    warning reached stderr mid-scoring (the cast was outside the silenced block)."""
    huge = TRAIN.assign(orders_30d=[1e39, -1e39, 1.0, 2.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        matrix = transform(huge, spec_of())
    assert matrix["orders_30d"].tolist()[:2] == [np.inf, -np.inf]


def test_transform_does_not_mutate_its_input():
    before = TRAIN.copy()
    transform(TRAIN, spec_of())
    pd.testing.assert_frame_equal(TRAIN, before)


def test_spec_round_trips_through_json_and_rejects_garbage():
    spec = spec_of()
    assert FeatureSpec.from_json(spec.to_json()) == spec
    with pytest.raises(ChurnError, match="not a valid feature spec"):
        FeatureSpec.from_json("{oops")
    with pytest.raises(ChurnError, match="unsupported feature spec version"):
        FeatureSpec.from_json('{"version": 99}')


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"categorical": ["device"]}, "categorical: expected an object, got a JSON array"),
        ({"categorical": {"device": "a"}}, "categorical.device: expected an array of levels"),
        ({"numeric": 5}, "numeric: expected an array of names, got a JSON number"),
        ({"numeric": [1, 2]}, "numeric: expected names as text, got a JSON number"),
        ({"engineered": None}, "engineered: expected an array of names, got a JSON null"),
        ({"engineered": ["nope"]}, "engineered: 'nope' is not one of orders_per_session"),
        ({"numeric": []}, "engineered: 'order_trend' needs the numeric column(s) orders_30d"),
        ({"extra": 1}, "extra: not a field"),
        ({"version": [3, 2, 0]}, "version: expected 1, got a JSON array"),
        ({"version": None}, "version: expected 1, got a JSON null"),
    ],
)
def test_a_spec_of_the_wrong_shape_is_one_line_naming_the_field(change, problem):
    """`[]` or fields of the wrong type were AttributeError and TypeError tracebacks."""
    spec = {**json.loads(spec_of().to_json()), **change}
    expected = f"f.json: not a feature spec written by churn.featurize ({problem}"
    with pytest.raises(ChurnError) as refused:
        FeatureSpec.from_json(json.dumps(spec), "f.json")
    assert str(refused.value).startswith(expected)
    for text in ("[]", "null"):
        with pytest.raises(ChurnError, match=r"\(expected a JSON object, got a JSON \w+\)$"):
            FeatureSpec.from_json(text, "f.json")


def test_a_file_that_is_no_spec_is_not_called_an_unsupported_version():
    """An XGBoost model given as the feature spec was 'unsupported feature spec version
    [3, 2, 0]', a spec without a version field 'unsupported feature spec version None'."""
    spec = json.loads(spec_of().to_json())
    del spec["version"]
    cases = [
        ({"learner": {}, "version": [3, 2, 0]}, "learner: not a field"),
        ({"numeric": 5}, "categorical: missing"),
        (spec, "version: missing"),
    ]
    for raw, problem in cases:
        with pytest.raises(ChurnError) as refused:
            FeatureSpec.from_json(json.dumps(raw), "f.json")
        assert str(refused.value) == (
            f"f.json: not a feature spec written by churn.featurize ({problem})"
        )


def test_a_data_column_named_as_an_engineered_feature_is_kept_not_overwritten():
    frame = TRAIN.assign(order_trend=[0.5, 0.25, 0.75, 1.0])
    spec = spec_of(frame)
    assert spec.engineered == [] and "order_trend" in spec.numeric
    assert len(set(spec.feature_names)) == len(spec.feature_names)
    matrix = transform(frame, spec)
    assert matrix["order_trend"].tolist() == [0.5, 0.25, 0.75, 1.0]


def test_a_value_written_as_the_missing_or_unknown_level_makes_no_second_level_of_that_name():
    frame = TRAIN.assign(device=[MISSING, MISSING, UNKNOWN, "mobile"])
    spec = spec_of(frame)
    assert spec.categorical["device"] == ["mobile", MISSING, UNKNOWN]
    assert len(set(spec.feature_names)) == len(spec.feature_names)
    assert transform(frame, spec)[f"device={UNKNOWN}"].tolist() == [1.0, 1.0, 1.0, 0.0]


def test_a_column_named_as_another_columns_one_hot_level_is_refused_naming_it():
    frame = TRAIN.assign(**{"device=mobile": [1.0, 0.0, 1.0, 0.0]})
    with pytest.raises(ChurnError, match=r"^train.parquet: two features named 'device=mobile'"):
        fit_feature_spec(frame, ["customer_id", "churned"], 1, "train.parquet")


def test_engineered_ratios_are_missing_not_infinite_when_the_denominator_is_zero():
    frame = pd.DataFrame(
        {"orders_30d": [2, 2], "orders_90d": [0, 4], "sessions_30d": [0, 8], "returns_90d": [1, 1]}
    )
    spec = fit_feature_spec(frame, [], 1)
    matrix = transform(frame, spec)
    for name in ("orders_per_session", "order_trend", "return_rate"):
        assert np.isnan(matrix[name].iloc[0]), name
    assert matrix.loc[1, ["orders_per_session", "order_trend", "return_rate"]].tolist() == [
        0.25,
        1.5,
        0.25,
    ]


def test_tickets_per_order_counts_tickets_of_customers_without_orders():
    frame = pd.DataFrame({"support_tickets_90d": [3, 4], "orders_90d": [0, 3]})
    matrix = transform(frame, fit_feature_spec(frame, [], 1))
    assert matrix["tickets_per_order"].tolist() == [3.0, 1.0]


def test_excluded_columns_are_written_sorted_whatever_order_params_give():
    assert fit_feature_spec(TRAIN, ["customer_id", "churned"], 1).excluded == [
        "churned",
        "customer_id",
    ]


def test_arrow_booleans_are_numeric_features():
    frame = TRAIN.assign(vip=pd.Series([True, False, None, True], dtype="bool[pyarrow]"))
    spec = spec_of(frame)
    assert "vip" in spec.numeric and "vip" not in spec.categorical
    assert transform(frame, spec)["vip"].tolist()[:2] == [1.0, 0.0]
