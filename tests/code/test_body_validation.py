"""/predict's body validated in a worker thread: the errors FastAPI would give, the first listed."""

from __future__ import annotations

import json

import pytest
from fastapi import HTTPException
from fastapi.exceptions import RequestValidationError
from pydantic import ConfigDict, Field, TypeAdapter, ValidationError, create_model

from churn.body_validation import CountedErrors, first_errors, validated_body
from churn.request_model import request_body
from churn.responses import ERRORS_LISTED

CUSTOMER = create_model(
    "Customer",
    __config__=ConfigDict(extra="allow"),
    tenure=(float, Field(ge=0)),
    country=(str, ...),
    app=(bool, ...),
)
GOOD = {"tenure": 3, "country": "DE", "app": True}
BODY = TypeAdapter(request_body(CUSTOMER, 500))


def fastapi_errors(body) -> list[dict]:
    """Every error of the body as FastAPI reports it (located under "body")."""
    with pytest.raises(ValidationError) as caught:
        BODY.validate_python(body, from_attributes=True)
    return [e | {"loc": ("body", *e["loc"])} for e in caught.value.errors(include_url=False)]


def refused(body) -> CountedErrors:
    with pytest.raises(CountedErrors) as caught:
        validated_body(json.dumps(body).encode(), 500, BODY)
    return caught.value


@pytest.mark.parametrize(
    "body",
    [
        [{}] * 400,  # 3 errors each
        [GOOD] * 7 + [GOOD | {"tenure": -1}, "text", 5, [GOOD]] * 30 + [GOOD],
        [GOOD | {"country": None}] * 49 + [{"app": "maybe"}] * 3,  # the 50th error mid-record
        [GOOD] * 501,  # too many records: one error
        {"tenure": "x"},  # one record
        "text",
    ],
)
def test_the_errors_listed_are_the_first_of_fastapis_and_all_are_counted(body):
    expected = fastapi_errors(body)
    error = refused(body)
    assert error.errors() == expected[:ERRORS_LISTED]
    assert error.count == len(expected)


def test_valid_records_come_back_validated():
    records = validated_body(json.dumps([GOOD, GOOD | {"x": 1}]).encode(), 500, BODY)
    assert [type(record) for record in records] == [CUSTOMER, CUSTOMER]
    assert records[1].model_extra == {"x": 1}


@pytest.mark.parametrize(
    ("raw", "status"),
    [(b'{"tenure": ', 422), ("{}".encode("utf-16"), 400), (b"[" * 100_000, 400)],
)
def test_unreadable_bodies_get_fastapis_answers(raw, status):
    """Malformed JSON: FastAPI's json_invalid 422 at the error's place, saying what json found;
    bytes json cannot read (UTF-16, nested too deeply): a 400 saying why (it said "There was an
    error parsing the body")."""
    with pytest.raises((RequestValidationError, HTTPException)) as caught:
        validated_body(raw, 500, BODY)
    if status == 422:
        assert caught.value.errors() == [
            {
                "type": "json_invalid",
                "loc": ("body", 11),
                "msg": "JSON decode error: Expecting value (line 1, column 12)",
                "input": {},
                "ctx": {"error": "Expecting value"},
            }
        ]
    else:
        assert caught.value.status_code == 400
        assert caught.value.detail.startswith(
            "The body is not UTF-8 text (byte 0xff at position 0)"
            if raw.startswith(b"\xff")
            else "The body's JSON is nested too deeply to parse"
        )


class CountingAdapter:
    """BODY, counting the records first_errors validates one by one."""

    def __init__(self) -> None:
        self.calls = 0

    def validate_python(self, records, **options):
        self.calls += 1
        return BODY.validate_python(records, **options)


@pytest.mark.parametrize(
    ("body", "calls"),
    [
        ([GOOD | {"tenure": -1}] * ERRORS_LISTED, 0),  # all listed: FastAPI's errors as they are
        (
            [{}] * 400,
            -(-ERRORS_LISTED // 3),
        ),  # 3 errors each: stop at the record that fills the list
    ],
)
def test_records_are_validated_one_by_one_only_until_the_list_is_full(body, calls):
    with pytest.raises(ValidationError) as caught:
        BODY.validate_python(body, from_attributes=True)
    adapter = CountingAdapter()
    assert len(first_errors(body, adapter, caught.value)) == ERRORS_LISTED
    assert adapter.calls == calls


@pytest.mark.parametrize(
    "body",
    [
        [GOOD | {"tenure": -1, "TENURE": 3}],  # a bad value, not a missing one: no spelling note
        {"records": [GOOD], "token": "abc"},  # a scalar beside the list: a record, not a wrapper
        {"ids": [1, 2]},  # a list of no records: not a wrapper
    ],
)
def test_only_missing_fields_get_spelling_notes_and_only_objects_of_lists_are_wrappers(body):
    assert refused(body).errors() == fastapi_errors(body)[:ERRORS_LISTED]
