"""When a column no longer holds its contract type: the test, and the error (its example value
and hint, for numbers written as text or dates, come from churn.number_text)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from churn.coercion import RETYPE_SHARE, Coerced, coerce, infer_kind
from churn.csv_header import FROM_PARAMS, SettingNames
from churn.errors import ChurnError
from churn.number_text import numbers_as_text_column, retype_detail
from churn.raw_text import as_text, blank_mask

# A scored chunk with fewer present values than this in a column (a small file, a file's tail)
# cannot show that the column changed type: its wrong-typed values are only missing.
RETYPE_MIN_SCORED = 20
# ISO 8601 dates, with or without a time and a zone: 2024-12-02  2025-01-31T08:00:00Z
ISO_DATE = r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?"
# Day and month either way, a 4-digit year (31/01/2026 01.02.2026; 3.12.05 may be a version)
DAY_MONTH_YEAR = r"\s*\d{1,2}([./-])\d{1,2}\1\d{4}\s*"


def retyped(coerced: Coerced, min_present: int = 1) -> bool:
    """Whether coercion cannot fix the column: most present values have the wrong type."""
    bad = int(coerced.bad.sum())
    if not bad:  # the common case, without the mask arithmetic
        return False
    present = int(coerced.present().sum())
    return present >= min_present and bad > RETYPE_SHARE * present


def snapshot_months(stamps: pd.Series) -> pd.Series:
    """Each row's snapshot: the calendar month of its data.timestamp (missing stays missing), so
    that dates spread over a month are one snapshot in split, drift and validate alike."""
    return stamps.dt.to_period("M")


@dataclass(frozen=True)
class TypeChange:
    """Where a column no longer holds its contract type: its wrong-typed values there (what
    contract.type_change: quarantine rejects), and the rows the error describes (those of the
    first such snapshot; None: the whole column, judged without snapshots)."""

    rows: pd.Series
    shown: np.ndarray | None = None
    snapshot: str = ""

    @property
    def where(self) -> str:
        """For the error: ' in snapshot 2026-07-01', or '' when judged on the whole column."""
        return f" in snapshot {self.snapshot}" if self.snapshot else ""


def type_change(
    raw: pd.Series,
    coerced: Coerced,
    min_present: int = 1,
    stamps: Callable[[], pd.Series] | None = None,
) -> TypeChange | None:
    """Whether, and where, coercion cannot fix the column: with stamps (each row's timestamp,
    asked for only when some value has the wrong type), per snapshot, so that one month of text
    is not diluted by the clean months around it; and over the whole column (all a scored chunk
    has), which also catches a column of tiny snapshots."""
    if not coerced.bad.any():  # the common case: no split by snapshot
        return None
    if stamps is not None:  # a snapshot needs RETYPE_MIN_SCORED values: one stray word is no month
        change = snapshot_change(raw, coerced, max(min_present, RETYPE_MIN_SCORED), stamps())
        if change is not None:
            return change
    changed = retyped(coerced, min_present) or numbers_as_text(raw, coerced)
    return TypeChange(coerced.bad) if changed else None


def snapshot_change(raw, coerced: Coerced, min_present: int, stamps: pd.Series):
    """type_change judged per snapshot (as retyped and numbers_as_text judge a column); rows
    without a snapshot (no readable timestamp: refused for it in training) are judged in none."""
    codes, months = pd.factorize(snapshot_months(stamps), sort=True)  # no snapshot: -1
    bad, dated = coerced.bad.to_numpy(dtype=bool), codes >= 0
    present = coerced.present().to_numpy(dtype=bool)
    wrong = np.bincount(codes[bad & dated], minlength=len(months))
    counted = np.bincount(codes[present & dated], minlength=len(months))
    changed = [
        code
        for code in np.flatnonzero(wrong > RETYPE_SHARE * counted)  # oldest first
        if counted[code] >= min_present
        or numbers_as_text_column(*part(raw, coerced, codes == code))
    ]
    if not changed:
        return None
    shown = codes == changed[0]
    rows = coerced.bad & np.isin(codes, changed)
    return TypeChange(rows, shown, snapshot_name(stamps[shown], months[changed[0]]))


def part(raw: pd.Series, coerced: Coerced, rows: np.ndarray) -> tuple[pd.Series, Coerced]:
    """The given rows of a column and of its coercion."""
    return raw[rows], Coerced(*(None if mask is None else mask[rows] for mask in coerced))


def snapshot_name(stamps: pd.Series, month: pd.Period) -> str:
    """A snapshot as an error names it: the date its rows share (2026-07-01), else its month."""
    first, last = stamps.min(), stamps.max()
    if first != last:
        return str(month)
    return str(first.date()) if first == first.normalize() else str(first)


def refuse_type_change(change: TypeChange, coerced, column, where: str, names) -> None:
    """Stop under contract.type_change: fail, naming the column (a ColumnContract), the snapshot
    that changed (if judged per snapshot) and an example; coerced: (raw values, coercion)."""
    raw, result = coerced
    shown, part_of = (raw, result) if change.shown is None else part(raw, result, change.shown)
    raise ChurnError(
        f"{where}: column '{column.name}' no longer holds {column.type} values{change.where} "
        f"({int(part_of.bad.sum())} of {len(shown)} rows, {retype_detail(shown, part_of, names)}; "
        "contract.type_change: fail)",
        rows=shown.index[part_of.bad.to_numpy(dtype=bool)],
    )


def numbers_as_text(raw: pd.Series, coerced: Coerced) -> bool:
    """Whether a column is of another type only because its numbers are written as text (a
    decimal comma, a currency or percent sign): most present values do not read as coerced, and
    each of those is such a number."""
    return retyped(coerced) and numbers_as_text_column(raw, coerced)


def refuse_numbers_as_text(
    column: pd.Series, name: str, where: str, outcome: str = "", names: SettingNames = FROM_PARAMS
) -> None:
    """Stop, as validate does with a frozen contract, when a column would be categorical only
    because its numbers are written with a decimal comma (the decimal mark left at '.'; names:
    see retype_detail), a currency or a percent sign; outcome: what the stop prevents, appended
    to the message."""
    numbers = coerce(column, "numeric")
    if numbers_as_text(column, numbers):
        prefix = f"{where}: " if where else ""
        raise ChurnError(
            f"{prefix}column '{name}' holds numbers, not categories ({int(numbers.bad.sum())} "
            f"of {len(column)} rows, {retype_detail(column, numbers, names)}){outcome}"
        )


def inferred_kind(
    column: pd.Series, name: str, where: str, outcome: str = "", names: SettingNames = FROM_PARAMS
) -> str:
    """numeric or categorical, from the values of a column no contract types (contract
    inference, a new column, drift), stopping when any of its numbers are written as text (a
    decimal comma, a currency or percent sign): as categories they would be useless, and as
    numbers those values would be lost, however few (0, 2, 3,6: a third of them missing)."""
    kind = infer_kind(column, RETYPE_SHARE)
    if not (column.dtype == object or pd.api.types.is_string_dtype(column)):
        return kind  # numbers, dates or flags already: no text to misread
    # each value reads alone, so the distinct values tell (a category column has a handful:
    # reading all of its 120k rows as numbers took 0.07 s)
    distinct = column.drop_duplicates()
    if numbers_as_text_column(distinct, coerce(distinct, "numeric")):
        refuse_numbers_as_text(column, name, where, outcome, names)
        refuse_some_numbers_as_text(column, name, where, outcome, names)
    return kind


def refuse_some_numbers_as_text(
    column: pd.Series, name: str, where: str, outcome: str, names: SettingNames
) -> None:
    """Stop on a number column some of whose values are numbers written as text (see
    inferred_kind); refuse_numbers_as_text stops the column most of whose values are."""
    numbers = coerce(column, "numeric")
    prefix = f"{where}: " if where else ""
    raise ChurnError(
        f"{prefix}column '{name}' holds numbers written as text ({int(numbers.bad.sum())} of "
        f"{len(column)} rows, {retype_detail(column, numbers, names)}){outcome}"
    )


def iso_dates(column: pd.Series, where: str = "") -> bool:
    """Whether a text column's present values are all dates: ISO 8601, or day, month and year as
    coercion reads them (31/01/2026): typed datetime, not categories (featurize leaves it out).
    Each must read as a date (0000-00-00 typed so stopped validate on the data the contract came
    from); dates that read in either order stop here, as in validate."""
    if not (column.dtype == object or pd.api.types.is_string_dtype(column)):
        return False
    text = as_text(column.dropna().drop_duplicates())
    text = text[~blank_mask(text)]
    if not len(text) or not text.str.fullmatch(f"{ISO_DATE}|{DAY_MONTH_YEAR}").all():
        return False
    try:
        return not coerce(text.astype(object), "datetime").bad.any()
    except ChurnError as error:  # dates that read two ways: where names the file
        raise ChurnError(f"{where}: {error}" if where else str(error), rows=error.rows) from None


def date_column(column: pd.Series, where: str = "") -> bool:
    """Whether a column holds dates: typed so (a Parquet date or timestamp), or date text
    (iso_dates; where: the data's file, for its error)."""
    return pd.api.types.is_datetime64_any_dtype(column) or iso_dates(column, where)
