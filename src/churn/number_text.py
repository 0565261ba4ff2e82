"""Numbers written as text, as exports spell them (a decimal comma, a currency or percent sign,
digits grouped by spaces): which wrong-typed values are such numbers, and how an error shows one
with the hint that says what to do."""

from __future__ import annotations

import re

import pandas as pd

from churn.coercion import Coerced
from churn.csv_header import FROM_PARAMS, SettingNames, setting_text
from churn.decimal_commas import DECIMAL_COMMA_NUMBER, comma_numbers, matches

# A number with a currency symbol or code before or after it, or a percent sign after it, in any
# grouping: $29.72  -€5  USD 1,200.50  12,5 €  26%  0.5 %
_NUMBER = r"(?:\d+(?:[.,]\d+)*|[.,]\d+)"
_CURRENCY = r"(?:US\$|[$€£]|USD|EUR|GBP)"
UNIT_NUMBER = rf"(?i:[+-]?{_CURRENCY} ?[+-]?{_NUMBER}|[+-]?{_NUMBER} ?(?:{_CURRENCY}|%))"
PLAIN_NUMBERS_HINT = "; write them as plain numbers, without currency or percent signs"
# Digits grouped by a space, a no-break space (U+00A0) or a narrow one (U+202F), as French,
# Nordic and SI-style exports write them: 2 547,96  1 234  2 547.96 (the characters themselves,
# not regex escapes, which Arrow's RE2 and Python's re read differently)
SPACED_NUMBER = "[+-]?[1-9][0-9]{0,2}(?:[ \u00a0\u202f][0-9]{3})+(?:[.,][0-9]+)?"
SPACED_NUMBERS_HINT = "; write them as plain numbers, without spaces between digit groups"


def numbers_as_text_column(raw: pd.Series, coerced: Coerced) -> bool:
    """Whether the wrong-typed values are all numbers written with a decimal comma, a currency
    or a percent sign, or digits grouped by spaces: a matter of the file's format, however few
    the values."""
    text = raw[coerced.bad.to_numpy()].astype("string").str.strip()
    spelt = comma_numbers(text) | matches(text, UNIT_NUMBER) | matches(text, SPACED_NUMBER)
    return bool(len(text)) and bool(spelt.all())


def retype_detail(raw: pd.Series, coerced: Coerced, names: SettingNames = FROM_PARAMS) -> str:
    """An example of a wrong-typed value, and a hint when it is a decimal-comma number (naming
    the setting that sets the decimal mark for this run: see SettingNames.option) or one with a
    currency or percent sign, or digits grouped by spaces (shown first: the decimal-comma hint
    beside them would name a setting that does not read them)."""
    wrong = raw[coerced.bad.to_numpy()].astype("string").str.strip()
    spaced = wrong[matches(wrong, SPACED_NUMBER)]
    example = str((spaced if len(spaced) else wrong).iloc[0])
    hint = ""
    if pd.api.types.is_datetime64_any_dtype(coerced.values):
        hint = "; dates must read as dates: write them as YYYY-MM-DD"
    elif "," in example and re.fullmatch(DECIMAL_COMMA_NUMBER, example):
        hint = f"; decimal commas? set {setting_text(names.option('decimal'), ',')}"
    elif re.fullmatch(UNIT_NUMBER, example):
        hint = PLAIN_NUMBERS_HINT
    elif len(spaced):
        hint = SPACED_NUMBERS_HINT
    return f"e.g. {example[:40]!r}{hint}"
