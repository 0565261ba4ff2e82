"""The type a column's values say it has, for a contract inferred from data: flags, numbers,
dates or categories."""

from __future__ import annotations

import pandas as pd

from churn.coercion import coerce
from churn.type_changes import date_column, inferred_kind


def infer_type(column: pd.Series, name: str, where: str = "", flags: bool = True) -> str:
    """numeric, categorical, boolean or datetime, from the values. Text that mostly reads as
    numbers (say "1,234.5" with a few blanks, as spreadsheet exports have) is numeric; text of
    numbers written otherwise (12,5  $29.72  26%) stops inference (type_changes.inferred_kind);
    with flags, text that only spells flags (flag_text) is boolean."""
    values = column.dropna()
    if pd.api.types.is_bool_dtype(column) or (
        pd.api.types.is_numeric_dtype(column) and len(values) and set(values.unique()) <= {0, 1}
    ):
        return "boolean"
    if pd.api.types.is_numeric_dtype(column):
        return "numeric"
    if date_column(column, where):
        return "datetime"
    if flags and flag_text(column):
        return "boolean"
    return inferred_kind(column, name, where, ": no contract inferred")


def flag_text(column: pd.Series) -> bool:
    """Whether every present value of a text column spells a flag as validate reads one (0/1,
    true/false, yes/no, y/n, in any case): as numbers, the words of a month written yes/no were
    of the wrong type and stopped validate on the data the contract came from; as categories,
    each spelling was a level of its own."""
    head = column.iloc[:1000].dropna().drop_duplicates()
    if coerce(head, "boolean").bad.any():  # words, e-mails: no flag, told by the first rows
        return False  # (1.2M distinct values took 9 s to read as flags, in validate too)
    distinct = column.dropna().drop_duplicates()
    flags = coerce(distinct, "boolean")
    return bool(flags.values.notna().any()) and not flags.bad.any()
