"""Explicit, counted coercion of raw column values to the types a data contract declares."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from churn.date_parsing import naive_utc, other_dates
from churn.raw_text import (
    MISSING_MARKERS,
    as_text,
    blank_mask,
    flag_numbers,
    no_rows,
    row_mask,
    without,
)

THOUSANDS = r"[+-]?[1-9]\d{0,2}(,\d{3})+(\.\d+)?"  # no grouping starts "0,": 0,125 is no 125
RETYPE_SHARE = 0.5  # more wrong-typed values than this share: the column holds another type
# What pandas infers for object columns holding only numbers (and missing values): such columns
# need no text round trip (records from JSON arrive like this).
NUMBER_KINDS = frozenset({"floating", "integer", "mixed-integer-float", "empty"})


class Coerced(NamedTuple):
    """Typed values plus, per row, what coercion had to do (boolean masks)."""

    values: pd.Series
    blank: pd.Series  # blank string -> missing
    thousands: pd.Series  # "1,234" -> 1234
    bad: pd.Series  # value of the wrong type: missing unless the policy quarantines it
    infinite: pd.Series | None = None  # inf, -Infinity, 1e400 (numbers only): no text, rejected

    def present(self) -> pd.Series:
        """Rows holding a value: one read (infinite numbers too) or one of the wrong type."""
        present = self.values.notna() | self.bad
        return present if self.infinite is None else present | self.infinite


def holds_only_numbers(column: pd.Series) -> bool:
    """Numbers (or typed booleans), whether typed or in an object column of numbers and missing
    values."""
    if pd.api.types.is_bool_dtype(column) or pd.api.types.is_numeric_dtype(column):
        return True
    return column.dtype == object and pd.api.types.infer_dtype(column) in NUMBER_KINDS


def coerce_numeric(column: pd.Series) -> Coerced:
    """Numbers as float64; blanks, text and thousands separators handled and flagged."""
    if pd.api.types.is_bool_dtype(column):
        return booleans_as_numbers(column)
    if holds_only_numbers(column):
        untouched = no_rows(column)  # one all-False mask serves every flag
        numbers = pd.to_numeric(column).astype("float64")
        return without_infinities(Coerced(numbers, untouched, untouched, untouched))
    text = as_text(column)
    blank = blank_mask(text)
    thousands = row_mask(text.str.fullmatch(THOUSANDS))
    cleaned = without(text.where(~thousands, text.str.replace(",", "", regex=False)), blank)
    numbers = pd.to_numeric(cleaned.astype(object), errors="coerce").astype("float64")
    bad = column.notna() & ~blank & numbers.isna()
    return without_infinities(Coerced(numbers, blank, thousands, bad.astype(bool)))


def booleans_as_numbers(column: pd.Series) -> Coerced:
    """A typed boolean column (Parquet, Arrow) where numbers belong: each true or false is a
    value of the wrong type, as the text "true" is on the text route (and the API's 422)."""
    untouched = no_rows(column)
    bad = pd.Series(column.notna().to_numpy(dtype=bool), index=column.index)
    return Coerced(pd.Series(np.nan, index=column.index), untouched, untouched, bad)


def without_infinities(result: Coerced) -> Coerced:
    """Infinite numbers ("inf", "-Infinity", 1e400) flagged as infinite, not as text, and made
    missing in the values: no feature can be infinite (validate and scoring reject their rows as
    infinite:COL, the API refuses them too)."""
    infinite = np.isinf(result.values.to_numpy())
    if not infinite.any():
        return result
    mask = pd.Series(infinite, index=result.values.index)
    return result._replace(values=result.values.mask(mask), infinite=mask)


def boolean_from_numbers(column: pd.Series) -> Coerced:
    """Numbers or booleans: 1 and 0 are the only valid values (as_text spells 1.0 and True "1")."""
    # read from the arrays, not through Series astype, notna and rename (~3x the cost)
    numbers = np.asarray(column.array.astype("float64"))
    values = np.where(numbers == 1, 1.0, np.where(numbers == 0, 0.0, np.nan))
    bad = pd.Series(~column.array.isna() & np.isnan(values), index=column.index)
    blank = pd.Series(False, index=column.index, name=column.name)  # named as the text route's
    return Coerced(pd.Series(values, index=column.index), blank, no_rows(column), bad)


def coerce_boolean(column: pd.Series) -> Coerced:
    """0/1 as float64 from 0/1 (also spelled 1.0 or 0.00, as CSV writers do), true/false or
    yes/no in any case: the text raw_text.FLAG_TEXT matches, as the API reads and documents it."""
    if pd.api.types.is_bool_dtype(column) or pd.api.types.is_numeric_dtype(column):
        return boolean_from_numbers(column)  # same result as the text route, no strings
    text = as_text(column)
    blank = blank_mask(text)  # the spellings of MISSING_MARKERS, as in every other type
    numbers = flag_numbers(text)
    bad = column.notna() & ~blank & numbers.isna()
    return Coerced(numbers, blank, no_rows(column), bad.astype(bool))


def coerce_datetime(column: pd.Series) -> Coerced:
    """Timestamps as datetime64[ns], in UTC when written with a zone or offset (values without
    one are taken as written); unparseable values flagged."""
    text = as_text(column)
    blank = blank_mask(text)
    present = text.where(~blank).astype(object)
    # utc: values with different offsets (or offsets and none) cannot be read otherwise
    stamps = naive_utc(pd.to_datetime(present, errors="coerce", format="ISO8601", utc=True))
    odd = stamps.isna() & present.notna()
    if odd.any():  # slow path only for the values that are not ISO 8601
        stamps = stamps.where(~odd, other_dates(present[odd], column.name))
    bad = column.notna() & ~blank & stamps.isna()
    return Coerced(stamps.astype("datetime64[ns]"), blank, no_rows(column), bad.astype(bool))


def coerce_categorical(column: pd.Series) -> Coerced:
    """Categories as strings (1 and 1.0 both become "1"); blanks become missing."""
    if few_arrow_strings(column):
        return categorical_by_distinct(column)
    text = as_text(column)
    blank = blank_mask(text)
    untouched = no_rows(column)
    return Coerced(without(text, blank), blank, untouched, untouched)


def few_arrow_strings(column: pd.Series, sample: int = 1000) -> bool:
    """Arrow-backed text whose first values repeat (a category, not an id): coerce_categorical
    can then read each distinct value once."""
    arrow = isinstance(column.dtype, pd.StringDtype) and column.dtype.storage == "pyarrow"
    return arrow and len(column) > sample and column.iloc[:sample].nunique() <= sample // 10


def clean_distinct(column: pd.Series) -> list | None:
    """The column's distinct present values when coerce_categorical leaves every value as it
    is (none has spaces around it or marks a blank), else None."""
    return clean_values([value for value in column.unique() if not pd.isna(value)], column.dtype)


def clean_values(present: list, dtype) -> list | None:
    """present (distinct values of a column of dtype) when as_text and blank_mask leave each as
    it is, else None."""
    # the distinct values as as_text spells them (stripped), each checked as blank_mask does
    text = as_text(pd.Series(present, dtype=dtype)).tolist()
    return present if text == present and not MISSING_MARKERS.intersection(text) else None


def arrow_dictionary(column: pd.Series) -> tuple[np.ndarray, list]:
    """Arrow-backed text as (per row, the position of its value in the distinct values, -1 when
    missing; the distinct present values in order of appearance), in one hashing pass."""
    encoded = pc.dictionary_encode(column.array.__arrow_array__().combine_chunks())
    codes = pc.fill_null(encoded.indices, -1).to_numpy(zero_copy_only=False)
    return codes.astype(np.intp, copy=False), encoded.dictionary.to_pylist()


def categorical_by_distinct(column: pd.Series) -> Coerced:
    """coerce_categorical's result computed on the distinct values, then spread to the rows;
    the column itself (as "string") when no value has spaces around it or marks a blank."""
    untouched = no_rows(column)
    if clean_distinct(column) is not None:
        blank = untouched.rename(column.name)  # named like the other route's mask
        return Coerced(column.astype("string"), blank, untouched, untouched)
    codes, distinct = pd.factorize(column)  # missing -> -1
    text = as_text(pd.Series(distinct, dtype=column.dtype))
    blank_of = np.append(blank_mask(text).to_numpy(), False)  # code -1 (missing) is no blank
    blank = pd.Series(blank_of[codes], index=column.index, name=column.name)
    kept = without(text, pd.Series(blank_of[:-1])).array
    values = pd.Series(kept.take(codes, allow_fill=True), index=column.index, name=column.name)
    return Coerced(values, blank, untouched, untouched)


COERCERS = {
    "numeric": coerce_numeric,
    "boolean": coerce_boolean,
    "datetime": coerce_datetime,
    "categorical": coerce_categorical,
}


def coerce(column: pd.Series, kind: str) -> Coerced:
    """Coerce one column to a contract type."""
    return COERCERS[kind](column)


def infer_kind(column: pd.Series, retype_share: float) -> str:
    """numeric when most present values read as numbers, else categorical (for new columns)."""
    result = coerce_numeric(column)
    present = int((column.notna() & ~result.blank).sum())
    return "numeric" if present and result.bad.sum() <= retype_share * present else "categorical"
