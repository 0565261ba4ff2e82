"""The API's flag (boolean) fields: how a value is read (batch scoring's rule), and the JSON
schema of what is read, which the OpenAPI document shows so that clients validate alike."""

from __future__ import annotations

from typing import Any

from churn.raw_text import FLAG_TEXT, MISSING_MARKERS, flag_of_text, literal, whole_text

# The missing-value text that a nullable field reads as null (field_values.missing_as_none)
MISSING_TEXT = whole_text([literal(marker) for marker in sorted(MISSING_MARKERS)])


def flag_value(value: Any) -> Any:
    """A flag read by batch scoring's rule (coerce_boolean): true/false, the numbers 0 and 1, and
    text that raw_text.FLAG_TEXT matches, such as "yes", "OFF" or "1.0"; any other value is left
    for the bool type to refuse."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return value
    if isinstance(value, str):
        flag = flag_of_text(value)  # the documented pattern, so the two cannot disagree
        return value if flag is None else flag
    return {0: False, 1: True}.get(value, value)  # 1.0 == 1; other values stay, to be refused


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
