"""Raw values as text, spelled one way whatever the reader made of them; the words that mean
true, false or no value, and the text that spells a flag; row masks."""

from __future__ import annotations

import re
from functools import cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

TRUE_WORDS = frozenset({"1", "true", "yes", "y", "t", "on"})  # the API's JSON model agrees
FALSE_WORDS = frozenset({"0", "false", "no", "n", "f", "off"})
# Text that means "no value" in exports (R, Excel, SQL dumps, pandas), in the usual spellings;
# the CSV readers already read most as missing, this makes every path (API too) agree.
MISSING_MARKERS = frozenset(
    spelling
    for marker in ("", "NA", "N/A", "NaN", "Null", "None", "#N/A", "<NA>", "-", "?")
    for spelling in (marker, marker.lower(), marker.upper())
)


# The characters str.strip() strips (str.isspace), spelt out: Python's \s and JSON Schema's
# (ECMA 262) match different sets, so no pattern here uses it, nor any other escape.
WHITESPACE = "\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# 0 and 1 as decimal numbers: "0.00", "-0", "+1", "1.000000e+00" as printf writes them; not
# what only rounds to them ("10e-1", "0.99999999999999999999")
ZERO_TEXT = "[+-]?(?:0+[.]?0*|[.]0+)(?:[eE][+-]?[0-9]+)?"
ONE_TEXT = "[+]?0*1(?:[.]0*)?(?:[eE][+-]?0+)?"


def literal(text: str, any_case: bool = False) -> str:
    """A regex for text (in any case if asked) in plain character classes: no escapes or inline
    flags, which JSON Schema's regex dialect (ECMA 262) and Python's spell differently."""
    return "".join(character(char, any_case) for char in text)


def character(char: str, any_case: bool) -> str:
    if any_case and char.isalpha():
        return f"[{char.lower()}{char.upper()}]"
    return char if char.isalnum() else f"[{char}]"


def whole_text(alternatives: list[str]) -> str:
    """A pattern for text that is one of the alternatives between white space (see WHITESPACE):
    what str.strip() leaves of it is one of them."""
    return f"^[{WHITESPACE}]*(?:{'|'.join(alternatives)})[{WHITESPACE}]*$"


def words(spellings: frozenset[str]) -> list[str]:
    return [literal(word, any_case=True) for word in sorted(spellings)]


# The one rule for flag text, which batch scoring (coerce_boolean), the API (churn.flags) and the
# API's document (its pattern) share: the words in any case, and 0 or 1 as decimal numbers.
TRUE_TEXT = whole_text([ONE_TEXT, *words(TRUE_WORDS)])
FALSE_TEXT = whole_text([ZERO_TEXT, *words(FALSE_WORDS)])
FLAG_TEXT = whole_text([ZERO_TEXT, ONE_TEXT, *words(TRUE_WORDS | FALSE_WORDS)])


def flag_of_text(text: str) -> bool | None:
    """The flag a text spells by TRUE_TEXT and FALSE_TEXT ("yes", " OFF", "1.0"), else None."""
    if re.fullmatch(TRUE_TEXT, text):
        return True
    return False if re.fullmatch(FALSE_TEXT, text) else None


def flag_numbers(text: pd.Series) -> pd.Series:
    """Per value of a text column, 1.0 or 0.0 for the flag it spells (see flag_of_text), else
    NaN; each distinct value is read once."""
    codes, distinct = pd.factorize(text)  # missing values: code -1, read as the last, NaN
    read = [{True: 1.0, False: 0.0}.get(flag_of_text(str(value)), np.nan) for value in distinct]
    return pd.Series(np.array([*read, np.nan])[codes], index=text.index)


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
        if isinstance(column.dtype, pd.ArrowDtype):  # no % on Arrow floats: as numpy's read them
            floats = column.to_numpy(dtype=np.float64, na_value=np.nan)
            column = pd.Series(floats, index=column.index, name=column.name)
        whole = column.notna() & (column % 1 == 0)
        small = whole & (column.abs() < 2.0**63)  # whole numbers that fit in an int64
        text = column.astype("string")
        text = text.where(~small, column.where(small).astype("Int64").astype("string"))
        large = whole & ~small  # 9.3e18 is "9300000000000000000", as Python's int spells it
        return text.where(~large, column[large].map(normalise_text).astype("string"))
    if isinstance(column.array, pd.arrays.ArrowStringArray):  # "str" or "string"
        return stripped_arrow_text(column)
    if pd.api.types.infer_dtype(column, skipna=True) in ("string", "empty"):
        return column.astype("string").str.strip()
    return column.map(normalise_text, na_action="ignore").astype("string")


def stripped_arrow_text(column: pd.Series) -> pd.Series:
    """Arrow-backed text as column.astype("string").str.strip() makes it (the same Arrow
    kernel), without the two Series between: ~40 us, not ~230, per short column."""
    stripped = pc.utf8_trim_whitespace(column.array.__arrow_array__())
    text = pd.arrays.ArrowStringArray(stripped, dtype=pd.StringDtype("pyarrow"))
    return pd.Series(text, index=column.index, name=column.name, copy=False)


def blank_mask(text: pd.Series) -> pd.Series:
    """Rows whose text is empty or a missing-value marker (NA, null, None, -, ? ...); Arrow text
    looked up in the markers as an Arrow array made once (Series.isin converts the 31 markers
    one by one per call: nine tenths of its time on a short column)."""
    if isinstance(text.array, pd.arrays.ArrowStringArray):
        chunks = text.array.__arrow_array__()
        found = pc.is_in(chunks, value_set=arrow_markers(chunks.type))
        return pd.Series(np.array(found, dtype=np.bool_), index=text.index, name=text.name)
    return row_mask(text.isin(MISSING_MARKERS))


@cache
def arrow_markers(kind: pa.DataType) -> pa.Array:
    """MISSING_MARKERS as an Arrow array of the given string type (pc.is_in wants the same)."""
    return pa.array(sorted(MISSING_MARKERS), type=kind)


def no_rows(column: pd.Series) -> pd.Series:
    return pd.Series(False, index=column.index)


def row_mask(flags: pd.Series) -> pd.Series:
    """A nullable comparison result as a plain boolean mask (missing -> False)."""
    return pd.Series(flags.to_numpy(dtype=bool, na_value=False), index=flags.index, name=flags.name)


def rows_in(mask: pd.Series) -> int:
    """How many rows a mask flags: counted in numpy for a plain boolean mask (Series.sum costs
    ~20 us a call, four calls per column coerced)."""
    return int(np.count_nonzero(mask.to_numpy())) if mask.dtype == bool else int(mask.sum())


def mask_of(values: pd.Series, flags: np.ndarray) -> pd.Series:
    """flags (numpy's result on the rows of values) as a mask indexed and named like values,
    as a Series comparison makes it."""
    return pd.Series(flags, index=values.index, name=values.name)


def without(values: pd.Series, mask: pd.Series) -> pd.Series:
    """values with the masked rows made missing (values itself when no row is masked)."""
    return values.mask(mask) if mask.any() else values
