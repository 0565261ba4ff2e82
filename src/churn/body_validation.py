"""/predict's body parsed and validated as FastAPI would, with the same errors, in a worker thread
(churn.predict_route): FastAPI validates on the event loop, where 10,000 bad records held up
every other request for ~2 s."""

from __future__ import annotations

import json
from typing import Any

from fastapi import HTTPException
from fastapi.exceptions import RequestValidationError
from pydantic import TypeAdapter, ValidationError

from churn.errors import spelt_alike
from churn.json_body import parsed_or_refused
from churn.request_model import RECORD, RECORDS, shortened
from churn.responses import ERRORS_LISTED

UNREADABLE = "There was an error parsing the body"  # FastAPI's 400 for a body json cannot read
NESTED = "The body's JSON is nested too deeply to parse: send records of plain fields"


class CountedErrors(RequestValidationError):
    """A 422's first errors (those it lists) and how many there are in all."""

    def __init__(self, errors: list[dict[str, Any]], count: int) -> None:
        super().__init__(errors)
        self.count = count


def not_utf8(error: UnicodeDecodeError) -> str:
    """The 400's reason for a body that is not UTF-8: the first byte that is not, and where."""
    byte = error.object[error.start]
    return (
        f"The body is not UTF-8 text (byte 0x{byte:02x} at position {error.start}): send the "
        "JSON encoded as UTF-8, whatever charset the Content-Type names"
    )


def malformed(error: json.JSONDecodeError) -> RequestValidationError:
    """The 422 FastAPI answers to malformed JSON, at the error's place in the body, saying what
    json said (FastAPI's message, "JSON decode error", left it to a `ctx` the API drops)."""
    where = f"line {error.lineno}, column {error.colno}"
    return RequestValidationError(
        [
            {
                "type": "json_invalid",
                "loc": ("body", error.pos),
                "msg": f"JSON decode error: {error.msg} ({where})",
                "input": {},
                "ctx": {"error": error.msg},
            }
        ]
    )


def first_errors(body: Any, adapter: TypeAdapter, error: ValidationError) -> list[dict[str, Any]]:
    """The first ERRORS_LISTED errors of the body, located as FastAPI locates them ("body"
    first). Of a list with more, found record by record (each validated as a list of one):
    error.errors() builds every error at once, 200,000 for 10,000 empty records, in ~1 s that
    holds the interpreter lock, so the event loop too."""
    if error.error_count() <= ERRORS_LISTED or not isinstance(body, list):
        errors = error.errors(include_url=False)
    else:
        errors = []
        for at, record in enumerate(body):
            try:
                adapter.validate_python([record], from_attributes=True)
            except ValidationError as one:
                located = one.errors(include_url=False)
                errors += [e | {"loc": (RECORDS, at, *e["loc"][2:])} for e in located]
            if len(errors) >= ERRORS_LISTED:
                break
    return [e | {"loc": ("body", *e["loc"])} for e in errors[:ERRORS_LISTED]]


def spelling_noted(error: dict[str, Any], body: Any) -> dict[str, Any]:
    """A "Field required" error whose record holds the field under another spelling
    ('TENURE_MONTHS' for tenure_months) saying so, as batch scoring names such a column; it
    said "Field required" alone. Other errors as they are."""
    loc = error["loc"]  # ("body", shape, [index,] field)
    if error["type"] != "missing" or len(loc) not in (3, 4):
        return error
    at_index = loc[1] == RECORDS and len(loc) == 4 and isinstance(body, list)
    record = body[loc[2]] if at_index else body if loc[1] == RECORD and len(loc) == 3 else None
    if not isinstance(record, dict):
        return error
    given = spelt_alike(loc[-1], [key for key in record if key != loc[-1]])
    if given is None:
        return error
    return error | {"msg": f"Field required; the record has {shortened(given)!r}: names must "
                           "match exactly"}  # fmt: skip


def wrapped_records(body: Any, error: ValidationError) -> list[dict[str, Any]] | None:
    """One error for records sent wrapped in an object ({"records": [...]}, as other scoring
    APIs take them: MLflow's {"dataframe_records": [...]}): an object of lists and objects
    only (a record's fields hold scalars), missing fields, a list of objects in it; it got a
    "Field required" for each field, the list unmentioned. None for any other body."""
    if not isinstance(body, dict) or any(e["type"] != "missing" for e in error.errors()):
        return None
    if not all(isinstance(value, list | dict) for value in body.values()):
        return None
    lists = [key for key, value in body.items() if isinstance(value, list)]
    if not lists or not all(isinstance(one, dict) for one in body[lists[0]]):
        return None
    message = (
        f"The body is an object holding records under {shortened(lists[0])!r}: send the records "
        "themselves as the body, a JSON array, or one record as a JSON object"
    )
    where = ("body", RECORD, shortened(lists[0]))  # located as the single record's fields
    return [{"type": "records_wrapped", "loc": where, "msg": message}]


def validated_body(raw: bytes, max_records: int, adapter: TypeAdapter) -> Any:
    """The body parsed and validated (adapter: the route's body type). RequestValidationError
    (422) for malformed JSON, a key repeated in one object or failing fields (CountedErrors);
    HTTPException (400) for a body that json cannot read (not UTF-8, nested too deeply)."""
    try:
        body, repeated = parsed_or_refused(raw, max_records)
    except json.JSONDecodeError as error:
        raise malformed(error) from None
    except UnicodeDecodeError as error:
        raise HTTPException(status_code=400, detail=not_utf8(error)) from None
    except RecursionError:
        raise HTTPException(status_code=400, detail=NESTED) from None
    except ValueError:
        raise HTTPException(status_code=400, detail=UNREADABLE) from None
    if repeated:
        raise RequestValidationError(repeated)
    try:
        return adapter.validate_python(body, from_attributes=True)
    except ValidationError as error:
        if wrapped := wrapped_records(body, error):
            raise RequestValidationError(wrapped) from None
        listed = [spelling_noted(one, body) for one in first_errors(body, adapter, error)]
        raise CountedErrors(listed, error.error_count()) from None
