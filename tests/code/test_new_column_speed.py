"""A new column of many distinct text values (an e-mail, an order reference), included by
contract.new_column: include: reading it as flags and as numbers, to type it and to hold its
months to that type, took 9 s and 4 s per 1.2M rows, in validate and again in batch scoring;
now about what reading it as categories costs. The fast routes read as the row route did."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import churn.inferred_types
import churn.new_column_types
from churn.coercion import coerce
from churn.inferred_types import flag_text
from churn.new_column_types import number_rows, numbers_in_categories

ROWS = 20_000  # what is read is counted, not timed (speed lives in benchmarks/)


@pytest.fixture(scope="module")
def addresses() -> pd.Series:
    return pd.Series([f"user{i}@example.com" for i in range(ROWS)], dtype=object)


def values_read(monkeypatch, module, kind: str) -> list[int]:
    """The sizes of the columns module's coerce reads as kind, call by call."""
    sizes: list[int] = []

    def counting(values, to_kind, *args, **kwargs):
        if to_kind == kind:
            sizes.append(len(values))
        return coerce(values, to_kind, *args, **kwargs)

    monkeypatch.setattr(module, "coerce", counting)
    return sizes


def test_distinct_text_is_no_flag_without_reading_every_value(addresses, monkeypatch):
    read = values_read(monkeypatch, churn.inferred_types, "boolean")
    assert not flag_text(addresses)
    assert read and max(read) <= 1000  # the first rows tell; every value was read as a flag
    spelt = pd.Series(["yes", "No", "1", "0.0", "TRUE", None, ""] * 300)
    assert flag_text(spelt) and not flag_text(pd.concat([spelt, pd.Series(["maybe"])]))


def test_distinct_text_without_numbers_is_not_read_as_numbers(addresses, monkeypatch):
    read = values_read(monkeypatch, churn.new_column_types, "numeric")
    assert numbers_in_categories(addresses, 1, None) is None
    assert sum(read) == 0  # no value starts like a number: none is read as one (all were)
    references = pd.Series([f"{i}-A" for i in range(ROWS)] + ["7"] * 10, dtype=object)
    assert number_rows(references).sum() == 10  # each row that starts like one, read once


VALUES = ["1_000", "\u0661\u0662", "1,5", "e5", "Inf", "-Infinity", "NaN", "+.5", "1,234", " 7 "]
VALUES += ["\u00bd", "1e5", "nan", None, "1.", "(5)", "$5", " +3", "abc", np.nan, 5, 2.5, True]


@pytest.mark.parametrize("dtype", [object, "string[pyarrow]", "string[python]"])
def test_number_rows_are_the_rows_coercion_reads_as_numbers(dtype):
    raw = pd.Series([v for v in VALUES if dtype is object or not isinstance(v, int | float)] * 3)
    raw = raw.astype(dtype)
    numbers = coerce(raw, "numeric")
    read = numbers.values.notna() | numbers.infinite
    assert number_rows(raw).tolist() == read.tolist()
    assert number_rows(pd.Series(["low", "high", None], dtype=dtype)) is None
