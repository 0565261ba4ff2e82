"""Fast unit tests of contract inference: ids, nullable, ranges, category limits, row numbers
and the notes to review."""

import numpy as np
import pandas as pd

from churn.contract import (
    ROW_NUMBERS,
    TEXT_IN_NUMBERS,
    has_values,
    infer_column,
    infer_contract,
    numbers_rows,
    review_notes,
)
from churn.data_params import DataParams

DATA = DataParams(target="churned", positive_label=1, id="customer_id", timestamp="month")


def test_numeric_ids_are_categorical_and_never_nullable():
    column = infer_column("customer_id", pd.Series([1.0, 2.0, np.nan]), "id")
    assert column.type == "categorical" and not column.nullable


def test_text_and_infinite_numbers_make_no_column_nullable():
    column = infer_column("x", pd.Series(["1", "2", "3", "x"], dtype=object), "feature")
    assert column.type == "numeric" and not column.nullable
    assert not infer_column("x", pd.Series([1.0, np.inf]), "feature").nullable
    assert infer_column("x", pd.Series([1.0, np.nan]), "feature").nullable


def test_a_number_column_without_values_gets_no_range():
    column = infer_column("x", pd.Series([np.nan, np.nan]), "feature")
    assert column.min is None and column.max is None


def test_categories_are_sorted_up_to_fifty_and_only_for_features():
    assert infer_column("x", pd.Series(["b", "a", "b"]), "feature").categories == ["a", "b"]
    fifty = pd.Series([f"v{i:02}" for i in range(50)])
    assert len(infer_column("x", fifty, "feature").categories) == 50
    assert infer_column("x", pd.Series([f"v{i}" for i in range(51)]), "feature").categories is None
    assert infer_column("churned", pd.Series(["yes", "no"]), "target").categories is None


def test_markers_of_missing_values_are_no_values():
    assert not has_values(pd.Series(["", "NA", None]))
    assert has_values(pd.Series(["", "a"]))


def test_row_numbers_start_at_0_or_1_run_to_at_least_twenty_and_may_restart():
    assert numbers_rows(pd.Series(range(20)))
    assert numbers_rows(pd.Series([*range(1, 21), *range(1, 6)]))
    assert not numbers_rows(pd.Series(range(19)))
    assert not numbers_rows(pd.Series(range(2, 30)))
    assert not numbers_rows(pd.Series([*range(10), *range(10)]))
    assert not numbers_rows(pd.Series([True] * 25))


def test_only_features_numbering_the_rows_and_text_in_numbers_are_noted_for_review():
    frame = pd.DataFrame(
        {"customer_id": range(1, 31), "churned": [0, 1] * 15, "x": ["1"] * 29 + ["abc"]}
    )
    notes = review_notes(infer_contract(frame, DATA))
    assert [note.startswith(TEXT_IN_NUMBERS) for note in notes] == [True]
    assert not any(note.startswith(ROW_NUMBERS) for note in notes)
