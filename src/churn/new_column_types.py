"""The type a column outside the contract gets (contract.new_column: include), from the months
that hold it, and what holds each month to it beyond coercion: dates, flags (0/1, true/false,
yes/no in any case, however each month's export spells them), numbers or categories; a month
of numbers in a column whose other months hold categories changed type, as a month of text in
a number column did."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pandas as pd

from churn.coercion import Coerced, coerce
from churn.column_checks import ColumnCheck
from churn.contract_spec import ColumnContract
from churn.csv_header import SettingNames
from churn.inferred_types import flag_text
from churn.raw_text import no_rows
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


def flag_values(values: pd.Series) -> bool:
    """Whether a new column's typed values are a flag's (numbers, each present one 0 or 1): the
    rows to score are held to a flag then, so that yes/no there read as the 0/1 of training."""
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return False
    present = values.dropna()
    return bool(len(present)) and bool(present.isin((0, 1)).all())


def holds_digits(raw: pd.Series) -> bool:
    """Whether any value of a column holds a digit (none can read as a number otherwise)."""
    if pd.api.types.is_numeric_dtype(raw) or pd.api.types.is_bool_dtype(raw):
        return True
    distinct = raw.dropna().drop_duplicates()
    return bool(distinct.astype("string").str.contains(r"\d", regex=True).any())


def numbers_in_categories(
    raw: pd.Series, retype_min: int, stamps: Callable[[], pd.Series] | None
) -> tuple[TypeChange, Coerced] | None:
    """Where a new column typed categorical holds numbers instead (most present values of a
    snapshot of RETYPE_MIN_SCORED or more, or of the whole column judged without snapshots):
    typed from the majority of its rows, the months that disagreed passed as categories.
    Returns the change and the coercion that marks each number as a wrong-typed value."""
    if not holds_digits(raw):  # the common case, words: nothing to read (120k rows of words:
        return None  # 0.4-0.55 s read as numbers, 0.02-0.03 s by their distinct values)
    numbers = coerce(raw, "numeric")
    read = numbers.values.notna()
    if numbers.infinite is not None:
        read = read | numbers.infinite
    if not read.any():  # the common case: no number at all
        return None
    text = coerce(raw, "categorical")
    marked = Coerced(text.values, text.blank, no_rows(raw), read.astype(bool))
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
