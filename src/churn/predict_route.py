"""/predict's route: a body not sent as uncompressed JSON is a 415; any other is parsed and
validated in a worker thread (churn.body_validation), not on the event loop where FastAPI
validates, so that a large body holds up no other request; FastAPI then takes the validated
records as they are."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from churn.body_validation import validated_body
from churn.request_model import shortened


def json_refusal(content_type: str | None) -> str | None:
    """Why a /predict body of this Content-Type is refused; None for application/json and
    application/*+json (the types FastAPI reads as JSON)."""
    media = (content_type or "").split(";")[0].strip().lower()
    if media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    ):
        return None
    sent = f"Content-Type {shortened(content_type)!r}" if content_type else "no Content-Type"
    return f"{sent}: send the body as JSON with Content-Type: application/json"


def encoding_refusal(content_encoding: str | None) -> str | None:
    """Why a /predict body of this Content-Encoding is refused (gzip, br ...: it was read as
    JSON and answered "error parsing the body"; inflating it would let a small body past
    CHURN_MAX_BODY_BYTES); None for none or identity."""
    codings = [part.strip().lower() for part in (content_encoding or "").split(",")]
    if all(coding in ("", "identity") for coding in codings):
        return None
    return f"Content-Encoding {shortened(content_encoding)!r}: send the body uncompressed"


class ValidatedRequest(Request):
    """A request whose body was read, parsed and validated already: FastAPI takes the records
    from here (validating model instances again is only a type check)."""

    def __init__(self, request: Request, raw: bytes, records: Any) -> None:
        super().__init__(request.scope, request.receive)
        self.raw_body, self.records = raw, records

    async def body(self) -> bytes:
        return self.raw_body

    async def json(self) -> Any:
        return self.records


EMPTY = "The body is empty: send one record as a JSON object, or records as a JSON array"


def query_errors(names: list[str]) -> list[dict[str, Any]]:
    """A 422 error for each query parameter: /predict takes none, and one was ignored silently
    (`?threshold=0.5` changed nothing, saying nothing)."""
    message = "/predict takes no query parameters: send the records in the body"
    once = dict.fromkeys(map(shortened, names))  # a name given twice is named once
    return [{"type": "extra_forbidden", "loc": ("query", name), "msg": message} for name in once]


async def validated_request(request: Request) -> Request:
    """The request with its body validated (validated_body, in a worker thread: a large body must
    not hold up the other requests meanwhile); 415 when not sent as plain JSON, 422 when sent
    with query parameters."""
    if request.query_params:
        raise RequestValidationError(query_errors(list(request.query_params.keys())))
    headers = request.headers
    refusal = json_refusal(headers.get("content-type")) or encoding_refusal(
        headers.get("content-encoding")
    )
    if refusal:
        raise HTTPException(status_code=415, detail=refusal)
    raw = await request.body()
    if not raw:  # FastAPI said "Field required" at ["body"]
        raise RequestValidationError([{"type": "missing", "loc": ("body",), "msg": EMPTY}])
    state = request.app.state  # set by churn.serve.create_app
    records = await run_in_threadpool(validated_body, raw, state.max_records, state.body_type)
    return ValidatedRequest(request, raw, records)


class JsonBodyRoute(APIRoute):
    """/predict's route: the body is checked, parsed and validated (validated_request) before
    FastAPI reads it."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def validate_then_handle(request: Request) -> Response:
            return await handler(await validated_request(request))

        return validate_then_handle
