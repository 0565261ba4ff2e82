"""The API's 422 for a request that fails validation: the bad fields, each with its record
index, and the rejected value echoed only when it is short and JSON-safe."""

import math
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from churn.request_model import RECORD, RECORDS, SURROGATE
from churn.responses import ERRORS_LISTED

ECHO_CHARS = 100  # a rejected value longer than this is not echoed in a 422


def short_scalar(value: Any) -> bool:
    """Whether a rejected value can be echoed back: a short, JSON-safe scalar (text and whole
    numbers of at most ECHO_CHARS characters)."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, str):  # JSON may escape a lone surrogate, which UTF-8 cannot encode
        return len(value) <= ECHO_CHARS and not SURROGATE.search(value)
    if isinstance(value, int) and not isinstance(value, bool):  # JSON's ints have any length
        return -(10 ** (ECHO_CHARS - 1)) < value < 10**ECHO_CHARS
    return value is None or isinstance(value, bool)


def message(kind: str, loc: list, said: str) -> str:
    """The error's message; for a body or record that is not a JSON object, one that says what
    it should be (pydantic's, "a valid dictionary or object to extract fields from", did not)."""
    if kind != "model_attributes_type":
        return said
    if loc == ["body"]:
        return "The body should be a JSON object (one record) or a JSON array of records"
    return "A record should be a JSON object" if len(loc) == 2 else said


def field_error(error: dict) -> dict:
    """One validation error as the API reports it: `loc` with the field and record index (not
    the body-shape tag), message, type, and the rejected value only when it is short."""
    tagged = tuple(error["loc"][:2]) in (("body", RECORD), ("body", RECORDS))  # not a query's
    loc = [part for at, part in enumerate(error["loc"]) if not (tagged and at == 1)]
    detail = {"loc": loc, "msg": message(error["type"], loc, error["msg"]), "type": error["type"]}
    if "input" in error and short_scalar(error["input"]):
        detail["input"] = error["input"]
    return detail


async def validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
    """422 naming the bad fields, the first ERRORS_LISTED of them, without echoing the request
    (which may hold NaN)."""
    errors = error.errors()
    listed = [field_error(one) for one in errors[:ERRORS_LISTED]]
    count = getattr(error, "count", len(errors))  # churn.body_validation lists the first alone
    return JSONResponse(status_code=422, content={"detail": listed, "error_count": count})
