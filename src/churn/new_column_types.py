"""The type a column outside the contract gets (contract.new_column: include), from the months
that hold it, and what holds each month to it beyond coercion: dates, flags (0/1, true/false,
yes/no in any case, however each month's export spells them), numbers or categories; a month
of numbers in a column whose other months hold categories changed type, as a month of text in
a number column did."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from churn.coercion import Coerced, coerce
from churn.column_checks import ColumnCheck
from churn.contract_spec import ColumnContract
from churn.csv_header import SettingNames
from churn.inferred_types import flag_text
from churn.raw_text import as_text, no_rows
from churn.type_changes import (
    RETYPE_MIN_SCORED,
    TypeChange,
    date_column,
    inferred_kind,
    refuse_type_change,
    retyped,
    snapshot_change,
)


def new_column_kind(raw: pd.Series, name: str, where: str, names: SettingNames) -> str:
    """The type validate gives a column outside the contract, from its values: datetime for
    dates, boolean when every value spells a flag (a month of 0/1 beside one of yes/no is one
    flag, not a month of text in a number column), else numeric or categorical
    (type_changes.inferred_kind)."""
    if date_column(raw, where):
        return "datetime"
    if flag_text(raw):
        return "boolean"
    return inferred_kind(raw, name, where, " (contract.new_column: include)", names)


# How every value that reads as a number (or an infinity) starts, spaces and sign aside: the
# other values of a column are no number, and are not read as one (see number_rows)
NUMBER_START = r"\s*[-+]?(?:\.?\d|inf)"


def number_rows(raw: pd.Series) -> np.ndarray | None:
    """Which rows of a column read as a number (or an infinity); None when none does. A
    category's distinct values are read once each; a column of distinct values (an e-mail
    address, an order reference: 1.2M took 4 s read row by row as numbers, in validate and
    again in batch scoring) only where a value starts like a number."""
    if pd.api.types.is_numeric_dtype(raw) or pd.api.types.is_bool_dtype(raw):
        numbers = coerce(raw, "numeric")
        infinite = numbers.infinite if numbers.infinite is not None else False
        read = (numbers.values.notna() | infinite).to_numpy(dtype=bool)
    elif raw.iloc[:1000].nunique() <= 100:  # a category's handful of values
        codes, distinct = pd.factorize(raw)  # missing: -1, the last slot
        read = np.append(numbers_among(pd.Series(np.asarray(distinct, dtype=object))), False)
        read = read[codes]
    else:
        read = numbers_among(raw)
    return read if read.any() else None


def numbers_among(values: pd.Series) -> np.ndarray:
    """Which values read as numbers: only those that start like one are read, each distinct
    one once."""
    text = values if is_arrow_text(values) else as_text(values).astype("string[pyarrow]")
    starts = pc.match_substring_regex(pa.array(text), f"^{NUMBER_START}", ignore_case=True)
    maybe = starts.to_numpy(zero_copy_only=False).astype(bool)  # missing: None, no number
    read = np.zeros(len(values), dtype=bool)
    if maybe.any():
        codes, distinct = pd.factorize(values[maybe])
        numbers = coerce(pd.Series(np.asarray(distinct, dtype=object)), "numeric")
        infinite = numbers.infinite if numbers.infinite is not None else False
        read[maybe] = (numbers.values.notna() | infinite).to_numpy(dtype=bool)[codes]
    return read


def is_arrow_text(raw: pd.Series) -> bool:
    """Whether a column is Arrow-backed text already (as Parquet reads often give)."""
    return isinstance(raw.dtype, pd.StringDtype) and raw.dtype.storage == "pyarrow"


def numbers_in_categories(
    raw: pd.Series, retype_min: int, stamps: Callable[[], pd.Series] | None
) -> tuple[TypeChange, Coerced] | None:
    """Where a new column typed categorical holds numbers instead (most present values of a
    snapshot of RETYPE_MIN_SCORED or more, or of the whole column judged without snapshots):
    typed from the majority of its rows, the months that disagreed passed as categories.
    Returns the change and the coercion that marks each number as a wrong-typed value."""
    read = number_rows(raw)
    if read is None:  # the common case: no number at all
        return None
    text = coerce(raw, "categorical")
    marked = Coerced(text.values, text.blank, no_rows(raw), pd.Series(read, index=raw.index))
    change = None
    if stamps is not None:
        change = snapshot_change(raw, marked, max(retype_min, RETYPE_MIN_SCORED), stamps())
    if change is None and retyped(marked, retype_min):
        change = TypeChange(marked.bad)
    return None if change is None else (change, marked)


def with_numbers_refused(
    check: ColumnCheck, raw: pd.Series, column: ColumnContract, rules: tuple, found: tuple
) -> ColumnCheck:
    """check of a new column typed categorical, with its snapshots of numbers (see
    numbers_in_categories) refused under contract.type_change: a stop (fail), or their numbers
    quarantined as type:COL (quarantine); rules: (policies, scoring, retype_min, stamps);
    found: (where, names), for the error."""
    policies, _, retype_min, stamps = rules
    numbers = numbers_in_categories(raw, retype_min, stamps)
    if numbers is None:
        return check
    change, marked = numbers
    if policies.type_change == "fail":
        refuse_type_change(change, (raw, marked), column, *found)
    failures = [(f"type:{column.name}", change.rows), *check.failures]
    return replace(check, failures=failures, retyped=True)
