"""Numbers written with a decimal comma (1.234,5), as European spreadsheets export them: read
strictly, so that a value in another spelling is never silently turned into another number."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

# A number written with a decimal comma, optionally with '.' between thousands: 12,5  1.234,5
DECIMAL_COMMA_NUMBER = r"[+-]?(?:[1-9]\d{0,2}(?:\.\d{3})+|\d+)(?:,\d+)?"  # not 0.500


def matches(text: pd.Series, pattern: str) -> np.ndarray:
    """Per value of a text column, whether it is spelled as pattern says (missing: False)."""
    return text.str.fullmatch(pattern).to_numpy(dtype=bool, na_value=False)


def comma_numbers(text: pd.Series) -> np.ndarray:
    """Per value, whether it is a decimal-comma number with a comma in it (12,5  1.234,5)."""
    return text.str.contains(",", regex=False).to_numpy(dtype=bool, na_value=False) & matches(
        text, DECIMAL_COMMA_NUMBER
    )


def decimal_comma_numbers(column: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """(stripped text, mask of the values that are numbers written with a decimal comma). Each
    value is read alone, whatever the others (a chunk's or a file's): 1.500 is 1500 as a
    grouping, 0.125 and 82.97 are no numbers of this form and stay as written."""
    if column.dtype != object and not pd.api.types.is_string_dtype(column):
        return column, np.zeros(len(column), dtype=bool)
    text = column.astype("string").str.strip()
    return text, matches(text, DECIMAL_COMMA_NUMBER)


def plain_number_text(text: pd.Series) -> pd.Series:
    """Decimal-comma number text as plain number text: "1.234,5" -> "1234.5"."""
    return text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)


def decimal_commas_to_points(column: pd.Series) -> pd.Series:
    """Text numbers written with a decimal comma as plain number text ("1.234,5" -> "1234.5");
    every other value, and columns that are not text, unchanged."""
    text, numbers = decimal_comma_numbers(column)
    if not numbers.any():
        return column
    return column.mask(numbers, plain_number_text(text).astype(object))


def decimal_commas_in(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """decimal_commas_to_points on the named columns that the frame has."""
    changed = {name: decimal_commas_to_points(frame[name]) for name in columns if name in frame}
    return frame.assign(**changed) if changed else frame


def decimal_comma_values(column: pd.Series) -> pd.Series:
    """A text column of a decimal-comma file: numbers when every present value is a decimal-comma
    number; when most values are numbers of either kind, text with the decimal-comma ones made
    plain and the rest as written (the contract reads them, as in batch scoring); else as is."""
    text, numbers = decimal_comma_numbers(column)
    if not numbers.any():
        return column
    present = int(column.notna().sum())
    if numbers.sum() == present:  # through object: "string" text would give Float64/Int64
        return pd.to_numeric(plain_number_text(text).astype(object))
    mixed = decimal_commas_to_points(column)
    read = pd.to_numeric(mixed.astype(object), errors="coerce").notna().sum()
    return mixed if read > present / 2 else column


def read_decimal_commas(frame: pd.DataFrame, keep_as_text: Sequence[str]) -> pd.DataFrame:
    """decimal_comma_values on every column of a CSV read as text but the keep_as_text ones."""
    changed = {
        str(name): decimal_comma_values(frame[name])
        for name in frame.columns
        if name not in keep_as_text
    }
    return frame.assign(**changed) if changed else frame
