"""Raw values as text, spelled one way whatever the reader made of them; the words that mean
true, false or no value; row masks."""

from __future__ import annotations

import pandas as pd

TRUE_WORDS = frozenset({"1", "true", "yes", "y", "t", "on"})  # the API's JSON model agrees
FALSE_WORDS = frozenset({"0", "false", "no", "n", "f", "off"})
# Text that means "no value" in exports (R, Excel, SQL dumps, pandas), in the usual spellings;
# the CSV readers already read most as missing, this makes every path (API too) agree.
MISSING_MARKERS = frozenset(
    spelling
    for marker in ("", "NA", "N/A", "NaN", "Null", "None", "#N/A", "<NA>", "-", "?")
    for spelling in (marker, marker.lower(), marker.upper())
)


def normalise_text(value: object) -> str:
    """Spell a value the same whichever reader produced it: 1, 1.0, True and "1" are all "1"."""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def as_text(column: pd.Series) -> pd.Series:
    """Stripped strings, missing stays missing (vectorised for the common dtypes)."""
    if pd.api.types.is_bool_dtype(column):
        return column.astype("Int64").astype("string")
    if pd.api.types.is_integer_dtype(column):  # also unsigned ids above the int64 range
        return column.astype("string")
    if pd.api.types.is_float_dtype(column):
        whole = column.notna() & (column % 1 == 0)
        small = whole & (column.abs() < 2.0**63)  # whole numbers that fit in an int64
        text = column.astype("string")
        text = text.where(~small, column.where(small).astype("Int64").astype("string"))
        large = whole & ~small  # 9.3e18 is "9300000000000000000", as Python's int spells it
        return text.where(~large, column[large].map(normalise_text).astype("string"))
    if pd.api.types.infer_dtype(column, skipna=True) in ("string", "empty"):
        return column.astype("string").str.strip()
    return column.map(normalise_text, na_action="ignore").astype("string")


def blank_mask(text: pd.Series) -> pd.Series:
    """Rows whose text is empty or a missing-value marker (NA, null, None, -, ? ...)."""
    return row_mask(text.isin(MISSING_MARKERS))


def no_rows(column: pd.Series) -> pd.Series:
    return pd.Series(False, index=column.index)


def row_mask(flags: pd.Series) -> pd.Series:
    """A nullable comparison result as a plain boolean mask (missing -> False)."""
    return pd.Series(flags.to_numpy(dtype=bool, na_value=False), index=flags.index, name=flags.name)


def without(values: pd.Series, mask: pd.Series) -> pd.Series:
    """values with the masked rows made missing (values itself when no row is masked)."""
    return values.mask(mask) if mask.any() else values
