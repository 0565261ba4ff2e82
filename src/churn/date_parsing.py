"""Dates as written in exports: ISO 8601 or day/month orders told apart by their values, and
timestamps with a zone brought to UTC."""

from __future__ import annotations

import pandas as pd

from churn.errors import ChurnError

NUMERIC_DATE = r"^\s*(\d{1,2})[./-](\d{1,2})[./-](\d{2,4})\b"  # 31/01/2026, 01.02.26


def parse_date(value: object, dayfirst: bool) -> pd.Timestamp:
    """One date in any format pandas knows, in UTC without its zone when it has one; NaT when it
    cannot be read or is out of range."""
    try:
        stamp = pd.Timestamp(pd.to_datetime(value, dayfirst=dayfirst, format="mixed"))
        return (stamp.tz_convert("UTC").tz_localize(None) if stamp.tz else stamp).as_unit("ns")
    except (ValueError, OverflowError, pd.errors.OutOfBoundsDatetime):
        return pd.NaT


def parse_dates(values: pd.Series, dayfirst: bool) -> pd.Series:
    """Dates in any format pandas knows, each distinct value read once; unreadable ones NaT."""
    lookup = {value: parse_date(value, dayfirst) for value in values.unique()}
    return pd.to_datetime(values.map(lookup))


def other_dates(values: pd.Series, name: object) -> pd.Series:
    """Non-ISO dates. Numeric ones (31/01/2026, 01.02.2026) are read day first when some first
    field is above 12, else month first; when no field tells (02/03/2026 only), or fields tell
    both (13/01/2026 and 01/13/2026), a ChurnError about those rows (values' index labels):
    guessing would silently reorder the snapshots."""
    parts = values.astype(str).str.extract(NUMERIC_DATE)
    first, second = pd.to_numeric(parts[0]), pd.to_numeric(parts[1])
    day_first, month_first = (first > 12).to_numpy(), (second > 12).to_numpy()
    if day_first.any() and month_first.any():  # pandas read each in the order it fits
        raise ChurnError(
            f"column '{name}': dates such as {values[day_first].iloc[0]!r} read day first, "
            f"others such as {values[month_first].iloc[0]!r} month first; write them as "
            "YYYY-MM-DD",
            rows=values.index[day_first | month_first],
        )
    ambiguous = not day_first.any() and not month_first.any()
    if ambiguous and (undecided := (first.ne(second) & first.notna()).to_numpy()).any():
        example = values[undecided].iloc[0]
        raise ChurnError(
            f"column '{name}': dates such as {example!r} read either day or month first; "
            "write them as YYYY-MM-DD",
            rows=values.index[undecided],
        )
    return parse_dates(values, bool(day_first.any()))


def naive_utc(stamps: pd.Series) -> pd.Series:
    """Timestamps as datetime64[ns] without a zone: zone-aware ones (2026-01-01T00:00:00Z, +02:00,
    Spark's Parquet timestamps) converted to UTC first, so that snapshots compare as instants.
    Dates outside datetime64[ns]'s years 1677 to 2262 (a 9999-12-31 "no end" marker, which
    pandas reads at another resolution) are missing, flagged as unreadable ones are (the
    conversion raised OutOfBoundsDatetime, a traceback)."""
    if isinstance(stamps.dtype, pd.DatetimeTZDtype):
        stamps = stamps.dt.tz_convert("UTC").dt.tz_localize(None)
    outside = (stamps < pd.Timestamp.min) | (stamps > pd.Timestamp.max)
    return stamps.where(~outside).astype("datetime64[ns]")
