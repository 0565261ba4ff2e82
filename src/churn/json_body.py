"""/predict's body parsed once, with an error for each key repeated in one of its objects (json
would keep the last value silently); churn.predict_route reads and validates it off the event
loop."""

from __future__ import annotations

import json
import sys
from typing import Any

from churn.request_model import body_shape, shortened


class RepeatedKeys(dict):
    """A JSON object that held some keys more than once (the last value kept, as json does).
    Slots, not an attribute dict: a body may hold a million of them (garbage collection of
    their dicts took seconds)."""

    __slots__ = ("repeated",)

    def __init__(self, pairs: list[tuple[str, Any]], repeated: tuple[str, ...]) -> None:
        super().__init__(pairs)
        self.repeated = repeated


def without_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """json's object_pairs_hook: a dict, a RepeatedKeys when a key comes more than once."""
    record = dict(pairs)
    if len(record) == len(pairs):
        return record
    counts: dict[str, int] = {}
    for key, _ in pairs:
        counts[key] = counts.get(key, 0) + 1
    return RepeatedKeys(pairs, tuple(key for key, count in counts.items() if count > 1))


def children(path: tuple, value: Any) -> list[tuple[tuple, Any]]:
    """The (path, value) of each member of a JSON object or array, in document order."""
    if isinstance(value, dict):
        return [((*path, shortened(key)), member) for key, member in value.items()]
    if isinstance(value, list):
        return [((*path, at), member) for at, member in enumerate(value)]
    return []


def repeated_key_errors(body: Any, records_only: bool = False) -> list[dict[str, Any]]:
    """A validation error for each key repeated in an object of the body (records_only: in the
    records alone, not in objects nested in their fields), located like the body's other errors:
    body, shape tag, record index (in a list), field ..., key."""
    errors: list[dict[str, Any]] = []
    pending = [((body_shape(body),), body)]
    while pending:  # a loop, not recursion: the body may be nested as deep as json allows
        path, value = pending.pop()
        for key in map(shortened, getattr(value, "repeated", [])):
            message = f"Key {key!r} is repeated in one object: send each key once"
            errors.append({"type": "duplicate_key", "loc": ("body", *path, key), "msg": message})
        if not records_only or (value is body and isinstance(body, list)):
            pending.extend(reversed(children(path, value)))
    return errors


def whole_number(digits: str) -> int | float:
    """json's parse_int: a JSON integer as an int, or, past Python's limit on the digits of an
    int read from text (4300), as the float it is beyond (infinite): the limit's ValueError made
    the whole body a 400 naming nothing, where validation names the field (not finite), and a
    field the model ignores stays ignored."""
    limit = sys.get_int_max_str_digits()
    return int(digits) if not limit or len(digits.lstrip("-")) <= limit else float(digits)


def utf8_text(raw: bytes) -> str:
    """The body as UTF-8 text, a byte order mark aside (UnicodeDecodeError otherwise): json reads
    UTF-16 and UTF-32 bytes too, which the API documents as a 400."""
    return raw.decode("utf-8-sig")


class TooManyObjects(Exception):
    """The body holds more JSON objects than a request may have records (and then some)."""


def parse_body(
    raw: bytes, max_objects: int, records_only: bool = False
) -> tuple[Any, list[dict[str, Any]]]:
    """The JSON body and an error for each key repeated in one of its objects (records_only: in
    its records), in one parse; TooManyObjects past max_objects objects (the checking costs
    Python per object); json's own errors (ValueError, RecursionError) are left to the caller."""
    repeats: list[RepeatedKeys] = []
    objects = 0

    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal objects
        objects += 1
        if objects > max_objects:
            raise TooManyObjects
        record = without_repeats(pairs)
        if isinstance(record, RepeatedKeys):
            repeats.append(record)
        return record

    body = json.loads(utf8_text(raw), object_pairs_hook=hook, parse_int=whole_number)
    return body, repeated_key_errors(body, records_only) if repeats else []


def parsed_or_refused(raw: bytes, max_records: int) -> tuple[Any, list[dict[str, Any]]]:
    """parse_body, up to 2 * max_records + 1 objects (records and an object or so in each). A
    body of more is a list longer than max_records, parsed by json alone (validation refuses it
    by its count, without the per-object cost), or records carrying that many objects in fields
    the model ignores: only the records are checked then (their repeated keys were scored as
    the last value silently), not one error per nested object."""
    try:
        return parse_body(raw, 2 * max_records + 1)
    except TooManyObjects:
        body = json.loads(utf8_text(raw), parse_int=whole_number)
    if isinstance(body, list) and len(body) > max_records:
        return body, []
    return parse_body(raw, len(raw), records_only=True)  # no body holds more objects than bytes
