"""Which customer an id names, one rule for every path: ingest, validate, split, batch scoring and
the API. Ids are text, never numbers; an integer written with a zero fraction is the integer."""

from __future__ import annotations

import pandas as pd

from churn.raw_text import as_text, blank_mask, normalise_text, row_mask, without

# "100001.0": how pandas writes an int column with a gap (float64) to CSV. Leading zeros
# ("0012.0"), signs ("+5.0") and exponents ("1e5") are no such spelling: those keep their text.
ZERO_FRACTION = r"(?:0|-?[1-9]\d*)\.0+"


def ids_as_text(column: pd.Series) -> pd.Series:
    """Ids as text, text as the file wrote it and numbers as normalise_text spells them (12.0 is
    "12", 9.3e18 in full), so that files typing the id as int64, float64 or text stack into one
    text column without losing a digit."""
    if isinstance(column.dtype, pd.CategoricalDtype):  # Parquet dictionary columns
        column = column.astype(object)
    if pd.api.types.is_numeric_dtype(column):  # also booleans
        return as_text(column).astype("str")
    if pd.api.types.infer_dtype(column, skipna=True) in ("string", "empty"):
        return column
    spelt = column.map(lambda v: v if isinstance(v, str) else normalise_text(v), na_action="ignore")
    return spelt.astype("str")


def customer_ids(column: pd.Series) -> pd.Series:
    """Each row's customer as text: ids_as_text without spaces around, missing-value markers
    ("NA", "") missing, and "100001.0" (ZERO_FRACTION) as "100001"; other text keeps its meaning
    ("0012" is not "12", "C-12.5" stays)."""
    text = as_text(column)
    return zero_fractions_cut(without(text, blank_mask(text)))


def zero_fractions_cut(text: pd.Series) -> pd.Series:
    """Text ids already stripped, markers missing (a contract-checked id column), with
    "100001.0" (ZERO_FRACTION) as "100001"; batch scoring's hot path, so one scan when no id
    holds a dot."""
    if not row_mask(text.str.contains(".", regex=False)).any():
        return text
    dotted = row_mask(text.str.fullmatch(ZERO_FRACTION))
    if not dotted.any():
        return text
    return text.where(~dotted, text.str.replace(r"\.0+$", "", regex=True))


def inexact_ids(column: pd.Series) -> pd.Series:
    """The ids a float column holds beyond 2**53, where float64 cannot keep every digit (pandas
    writes an int column with a gap as float64: 1234567890123456001 became ...000)."""
    if not pd.api.types.is_float_dtype(column):
        return column.iloc[:0]
    return column[column.abs() > 2.0**53]
