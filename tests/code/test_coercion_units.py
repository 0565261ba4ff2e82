"""Fast unit tests of coercion: thousands separators, what counts as present, wrong-typed
flags and the distinct-value route for categories."""

import numpy as np
import pandas as pd

from churn.coercion import coerce, few_arrow_strings


def test_thousands_groupings_may_carry_a_sign_but_never_start_with_zero():
    result = coerce(pd.Series(["1,234", "-1,234.5", "+12,000", "0,125"]), "numeric")
    assert result.values.tolist()[:3] == [1234.0, -1234.5, 12000.0]
    assert np.isnan(result.values[3])
    assert result.thousands.tolist() == [True, True, True, False]
    assert result.bad.tolist() == [False, False, False, True]


def test_blanks_are_missing_not_wrong_typed_and_present_counts_bad_and_infinite_rows():
    result = coerce(pd.Series(["1", "", "abc", "inf", None]), "numeric")
    assert result.blank.tolist() == [False, True, False, False, False]
    assert result.bad.tolist() == [False, False, True, False, False]
    assert result.infinite.tolist() == [False, False, False, True, False]
    assert result.present().tolist() == [True, False, True, True, False]


def test_typed_booleans_where_numbers_belong_are_wrong_typed():
    result = coerce(pd.Series([True, False]), "numeric")
    assert result.bad.tolist() == [True, True] and result.values.isna().all()


def test_a_number_flag_other_than_0_or_1_is_wrong_typed():
    result = coerce(pd.Series([0, 1, 2, -1]), "boolean")
    assert result.bad.tolist() == [False, False, True, True]
    assert result.values.tolist()[:2] == [0.0, 1.0]


def arrow(values: list) -> pd.Series:
    return pd.Series(values, dtype="string[pyarrow]")


def test_only_arrow_text_whose_first_thousand_values_repeat_goes_by_distinct_values():
    assert few_arrow_strings(arrow([f"v{i % 100}" for i in range(1001)]))
    assert not few_arrow_strings(arrow([f"v{i % 101}" for i in range(1001)]))
    assert not few_arrow_strings(arrow([f"v{i % 10}" for i in range(1000)]))


def test_by_distinct_values_markers_are_blank_and_missing_values_are_not():
    result = coerce(arrow(["a", "NA", None, "b"] * 300), "categorical")
    assert result.blank.tolist()[:4] == [False, True, False, False]
    assert result.values.isna().tolist()[:4] == [False, True, True, False]
    spaced = coerce(arrow([" a ", None] * 600), "categorical")
    assert spaced.values.tolist()[:1] == ["a"] and not spaced.blank.any()
