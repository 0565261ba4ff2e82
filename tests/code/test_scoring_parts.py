"""Fast unit tests of scoring's helpers: rejected rows, nested values as JSON, added model
columns and row ids."""

import json
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from churn.errors import ChurnError
from churn.scoring import (
    REJECT_REASON,
    Checked,
    add_missing_model_columns,
    nested_as_json,
    rejected_rows,
    row_ids,
)

SPEC = SimpleNamespace(input_columns=["a", "b", "c"])


def test_rejected_rows_come_in_input_order_with_a_fresh_reason_last():
    source = pd.DataFrame({REJECT_REASON: ["old"] * 3, "a": [10, 11, 12]})
    rejected = rejected_rows(source, np.array([2, 0]), ["late", "early"])
    assert list(rejected.columns) == ["a", REJECT_REASON]
    assert rejected["a"].tolist() == ["10", "12"]
    assert rejected[REJECT_REASON].tolist() == ["early", "late"]


def test_no_rejected_rows_is_an_empty_table_with_the_reason_column():
    rejected = rejected_rows(pd.DataFrame({"a": [1]}), np.zeros(0, dtype=np.int64), [])
    assert rejected.empty and list(rejected.columns) == ["a", REJECT_REASON]


def test_nested_values_are_written_as_json_and_text_is_left_alone():
    frame = pd.DataFrame(
        {"n": [{"k": np.int64(1)}, np.array([1.5, 2.0]), "plain"], "t": ["x", "{", "y"]}
    )
    written = nested_as_json(frame)
    assert json.loads(written["n"][0]) == {"k": 1}
    assert json.loads(written["n"][1]) == [1.5, 2.0]
    assert written["n"][2] == "plain" and written["t"].tolist() == ["x", "{", "y"]
    assert isinstance(frame["n"][0], dict)  # the input is not changed


def test_absent_model_columns_are_added_as_missing_under_impute_and_refused_otherwise():
    frame = pd.DataFrame({"a": [1.0], "z": [2.0]})
    added, missing = add_missing_model_columns(frame, SPEC, "impute", "here")
    assert missing == ["b", "c"] and added[["b", "c"]].isna().all().all()
    with pytest.raises(ChurnError, match="here: missing feature column.s. b, c"):
        add_missing_model_columns(frame, SPEC, "fail", "here")
    whole = frame.assign(b=1.0, c=1.0)
    assert add_missing_model_columns(whole, SPEC, "fail", "here")[1] == []


def checked(valid: pd.DataFrame, ids=None) -> Checked:
    return Checked(valid, valid.iloc[:0], positions=np.array([1, 3]), ids=ids)


def test_row_ids_are_as_written_else_the_id_column_else_positions_after_the_offset():
    valid = pd.DataFrame({"id": [7, 8]}, index=[5, 6])
    written = pd.Series(["007", "008"])
    assert row_ids(checked(valid, written), "id", 0).tolist() == ["007", "008"]
    assert row_ids(checked(valid, written), "id", 0).index.tolist() == [5, 6]
    assert row_ids(checked(valid), "id", 100).tolist() == ["7", "8"]
    assert row_ids(checked(valid), "", 100).tolist() == ["101", "103"]
    assert row_ids(checked(valid), "other", 100).tolist() == ["101", "103"]
