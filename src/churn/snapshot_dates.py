"""A row's snapshot read one way by validate and batch scoring alike: the calendar month of its
data.timestamp, an ISO 8601 date in UTC, or day and month in the order the values tell."""

from __future__ import annotations

import pandas as pd

from churn.coercion import coerce
from churn.date_parsing import NUMERIC_DATE
from churn.errors import ChurnError
from churn.raw_text import row_mask
from churn.type_changes import snapshot_months


def read_snapshot_months(values: pd.Series, where: str) -> pd.Series:
    """Each value's snapshot (a monthly Period; NaT when missing or no date), read as coercion
    reads a datetime column (date_parsing.other_dates: 31/01/2026 day first); dates whose order
    cannot be told stop with an error naming where."""
    try:
        return snapshot_months(coerce(values, "datetime").values)
    except ChurnError as error:
        raise ChurnError(f"{where}: {error}", rows=error.rows) from None


def order_examples(values: pd.Series) -> list:
    """Up to two values that tell the day/month order of numeric dates (one whose first field is
    above 12, one whose second is): with them, dates read in a later chunk are read in the order
    the earlier ones told, as validate reads the whole column at once."""
    parts = values.astype("string").str.extract(NUMERIC_DATE)  # missing: no numeric date
    above_12 = [pd.to_numeric(parts[field]).gt(12) for field in (0, 1)]  # DataFrame.apply: ~1 ms
    return [values[row_mask(told)].iloc[0] for told in above_12 if told.any()]
