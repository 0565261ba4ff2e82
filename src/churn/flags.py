"""The API's flag (boolean) fields: how a value is read (batch scoring's rule), and the JSON
schema of what is read, which the OpenAPI document shows so that clients validate alike."""

from __future__ import annotations

from typing import Any

import pandas as pd

from churn.raw_text import FALSE_WORDS, MISSING_MARKERS, TRUE_WORDS

# Numeric text that reads as 0 or 1: "0.00", "+1", "-0", "1.000000e+00" as printf writes it
ZERO_TEXT = r"[+-]?(?:0+\.?0*|\.0+)(?:[eE][+-]?[0-9]+)?"
ONE_TEXT = r"\+?0*1(?:\.0*)?(?:[eE][+-]?0+)?"


def flag_value(value: Any) -> Any:
    """A flag read by batch scoring's rule (coerce_boolean): true/false, the numbers 0 and 1, and
    text such as "yes", "OFF" or "1.0"; any other value is left for the bool type to refuse."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return value
    number = value
    if isinstance(value, str):
        text = value.strip().lower()
        if text in TRUE_WORDS or text in FALSE_WORDS:
            return text in TRUE_WORDS
        number = pd.to_numeric(text, errors="coerce")  # "1.0", "0.00" as CSV writers spell them
    return {0: False, 1: True}.get(number, value)  # 1.0 == 1; other values stay, to be refused


def literal(text: str, any_case: bool = False) -> str:
    """A regex for text (in any case if asked) in plain character classes: no escapes or inline
    flags, which JSON Schema's regex dialect (ECMA 262) and Python's spell differently."""
    return "".join(character(char, any_case) for char in text)


def character(char: str, any_case: bool) -> str:
    if any_case and char.isalpha():
        return f"[{char.lower()}{char.upper()}]"
    return char if char.isalnum() else f"[{char}]"


def whole_text(alternatives: list[str]) -> str:
    """A pattern for text that is one of the alternatives once stripped of white space."""
    return rf"^\s*(?:{'|'.join(alternatives)})\s*$"


WORDS = [literal(word, any_case=True) for word in sorted(TRUE_WORDS | FALSE_WORDS)]
FLAG_TEXT = whole_text([ZERO_TEXT, ONE_TEXT, *WORDS])  # the text flag_value reads
MISSING_TEXT = whole_text([literal(marker) for marker in sorted(MISSING_MARKERS)])


def flag_schema(nullable: bool) -> dict[str, Any]:
    """What a flag field accepts: true/false, 0 and 1 (also 1.0), text flag_value reads, and,
    when nullable, null and missing-value text (refused otherwise)."""
    kinds: list[dict[str, Any]] = [
        {"type": "boolean"},
        {"type": "integer", "enum": [0, 1]},
        {"type": "string", "pattern": FLAG_TEXT},
    ]
    if nullable:
        kinds += [{"type": "null"}, {"type": "string", "pattern": MISSING_TEXT}]
    return {"anyOf": kinds}
