"""Fast unit tests of drift_decision's pure functions: thresholds at their boundaries, schema
roles, the columns the model needs and the size checks."""

import numpy as np
import pandas as pd
import pytest

from churn.drift_decision import (
    check_sizes,
    compare,
    drifted_on,
    effect,
    missing_columns,
    needed_columns,
    schema_role,
)
from churn.errors import ChurnError
from churn.features import ALL_MISSING
from churn.params import DriftParams

PARAMS = DriftParams(
    min_rows=10,
    small_sample_rows=50,
    p_value=0.05,
    psi=0.2,
    wasserstein=0.1,
    js=0.1,
    unseen_share=0.05,
    missing_rate_change=0.1,
    share_drifted=0.5,
    weighted=0.05,
)


def test_an_effect_exactly_at_its_threshold_does_not_drift():
    assert drifted_on({"psi": 0.2}, PARAMS) == []
    assert drifted_on({"psi": 0.21}, PARAMS) == ["psi"]


def test_a_p_value_exactly_at_the_threshold_is_not_significant():
    assert drifted_on({"psi": 0.9, "p_value": 0.05}, PARAMS) == []
    assert drifted_on({"psi": 0.9, "p_value": 0.049}, PARAMS) == ["psi"]


def test_a_fall_in_the_missing_rate_drifts_and_must_be_significant_when_tested():
    assert drifted_on({"missing_rate_change": -0.5}, PARAMS) == ["missing_rate_change"]
    assert drifted_on({"missing_rate_change": 0.5, "missing_p_value": 0.05}, PARAMS) == []
    row = {"missing_rate_change": 0.5, "missing_p_value": 0.01}
    assert drifted_on(row, PARAMS) == ["missing_rate_change"]


def test_a_drifted_missing_rate_weighs_as_psi_scaled_and_an_undrifted_one_not_at_all():
    assert effect({"psi": 0.1, "missing_rate_change": -0.5}, PARAMS) == pytest.approx(1.0)
    assert effect({"psi": 0.1, "missing_rate_change": 0.05}, PARAMS) == pytest.approx(0.1)


def frames(reference: dict, current: dict):
    return pd.DataFrame(reference, index=[0, 1]), pd.DataFrame(current, index=[0, 1])


VALUES, EMPTY = [1.0, 2.0], [np.nan, np.nan]


@pytest.mark.parametrize(
    ("before", "now", "role"),
    [
        (VALUES, VALUES, ""),
        (EMPTY, VALUES, "arriving"),
        (EMPTY, EMPTY, ""),
        (None, VALUES, "arriving"),
    ],
)
def test_without_a_spec_a_column_is_the_models_unless_only_the_current_data_has_it(
    before, now, role
):
    reference = {"x": before} if before is not None else {"y": VALUES}
    pair = frames(reference, {"x": now})
    assert schema_role("x", pair, None, "include", {}) == role


@pytest.mark.parametrize(
    ("new_column", "left_out", "role"),
    [
        ("include", {}, "new"),
        ("include", {"x": "constant"}, "ignored"),
        ("ignore", {}, "ignored"),
        ("ignore", {"x": ALL_MISSING}, "new"),
    ],
)
def test_a_column_outside_the_spec_is_new_by_policy_or_listing(new_column, left_out, role):
    pair = frames({"x": VALUES}, {"x": VALUES})
    assert schema_role("x", pair, ["y"], new_column, left_out) == role


def test_a_listed_column_only_the_current_data_has_values_of_is_arriving():
    pair = frames({"x": EMPTY}, {"x": VALUES})
    assert schema_role("x", pair, ["y"], "ignore", {"x": ALL_MISSING}) == "arriving"


def test_needed_columns_are_the_spec_else_sorted_importance_else_columns_with_values():
    reference = pd.DataFrame({"b": VALUES, "a": EMPTY, "c": VALUES})
    assert needed_columns(reference, ["z", "a"], {"q": 1.0}) == ["z", "a"]
    assert needed_columns(reference, None, {"q": 1.0, "b": 2.0}) == ["b", "q"]
    assert needed_columns(reference, None, {}) == ["b", "c"]


def test_imputing_up_to_half_the_needed_columns_is_allowed_but_not_more():
    frame = pd.DataFrame({"a": VALUES, "b": VALUES})
    assert missing_columns(frame, ["a", "b", "c", "d"], "impute", "x") == ["c", "d"]
    with pytest.raises(ChurnError, match="3 of the model's 4"):
        missing_columns(frame[["a"]], ["a", "b", "c", "d"], "impute", "x")
    with pytest.raises(ChurnError, match="missing column"):
        missing_columns(frame, ["a", "c"], "fail", "x")


def test_a_side_of_exactly_min_rows_is_accepted_and_one_fewer_refused():
    check_sizes([pd.DataFrame({"a": range(10)})] * 2, PARAMS, ("ref", "cur"))
    with pytest.raises(ChurnError, match="cur has 9 rows"):
        check_sizes(
            [pd.DataFrame({"a": range(10)}), pd.DataFrame({"a": range(9)})], PARAMS, ("ref", "cur")
        )


def table(rows: int, new: list[str]):
    frame = pd.DataFrame({"x": np.arange(rows, dtype=float)})
    return compare(frame, frame, PARAMS, ({}, None), (new, [], []), ("ref", "cur"))["x"]


def test_p_values_are_computed_only_below_small_sample_rows():
    assert "p_value" not in table(50, [])
    assert "p_value" in table(49, [])


def test_a_new_column_is_drifted_even_when_its_values_are_unchanged():
    assert table(60, [])["drifted"] is False
    assert table(60, ["x"])["drifted"] is True


def test_an_arriving_column_of_numbers_written_as_text_stops_as_validate_would():
    reference = pd.DataFrame({"a": np.arange(60.0)})
    current = reference.assign(x=["3,5", "4,25"] * 30)
    ignored = compare(reference, current, PARAMS, ({}, None), ([], ["x"], []), ("ref", "cur"))
    assert ignored["x"]["ignored_column"] is True
    with pytest.raises(ChurnError, match="cur: column 'x' holds numbers, not categories"):
        compare(reference, current, PARAMS, ({}, None), ([], ["x"], ["x"]), ("ref", "cur"))
