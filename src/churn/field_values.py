"""How the API reads one field's value before its type does: text that UTF-8 can encode,
missing values (null, NaN, missing-value text), ids as batch scoring reads them, JSON numbers."""

from __future__ import annotations

import math
import re
from typing import Annotated, Any

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from churn.raw_text import MISSING_MARKERS, normalise_text

SURROGATE = re.compile("[\ud800-\udfff]")  # JSON can escape one ("\\ud800"); UTF-8 cannot hold it


def encodable(text: str) -> str:
    """Text that UTF-8 can encode: a lone surrogate would fail scoring and the answer (a 500)."""
    if SURROGATE.search(text):
        raise PydanticCustomError("string_unicode", "Input should be text without lone surrogates")
    return text


TEXT = Annotated[str, AfterValidator(encodable)]


def missing_as_none(value: Any) -> Any:
    """NaN (JSON `NaN` from Python clients) and missing-value text ("", "NA", "null" ...) as
    null, as batch scoring reads them; every other value unchanged."""
    if isinstance(value, float) and math.isnan(value):
        return None
    return None if isinstance(value, str) and value.strip() in MISSING_MARKERS else value


def is_missing(value: Any) -> bool:
    """null, NaN, or missing-value text: what batch scoring reads as a missing value."""
    return missing_as_none(value) is None


def refuse_missing(value: Any) -> Any:
    """A missing value where the contract allows none: refused alike for every type (a 422)."""
    if is_missing(value):
        raise PydanticCustomError(
            "missing_value", "Input is a missing value, which this field does not allow"
        )
    return value


def id_text(value: Any) -> Any:
    """An id as batch scoring reads it: numbers as text (12 and 12.0 are "12", raw_text.
    normalise_text), and a missing-value marker ("", "NA" ...) as no id; text is echoed as sent,
    and "12.0" repeats "12" (the contract reads ids as customer_ids)."""
    if isinstance(value, bool):
        return value  # refused by the str type
    if isinstance(value, float) and math.isinf(value):  # 1e400: "should be a valid string"
        raise PydanticCustomError("finite_number", "Input should be a finite number")
    if isinstance(value, int | float):
        return normalise_text(value) if math.isfinite(value) else None  # NaN: no id
    return missing_as_none(value)


def json_number(value: Any) -> Any:
    """A JSON number unchanged; text and booleans refused, because Python reads "1_000" and true
    as numbers where batch scoring does not."""
    if isinstance(value, str | bool):
        kind = "text" if isinstance(value, str) else "a boolean"
        raise PydanticCustomError(
            "number_type", "Input should be a JSON number, not {kind}", {"kind": kind}
        )
    return value
