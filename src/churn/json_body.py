"""/predict's body, read once before FastAPI validates it: refused unless sent as uncompressed
JSON (415), and refused when an object repeats a key (422: json would keep the last value
silently)."""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from churn.request_model import body_shape, shortened


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

    body = json.loads(utf8_text(raw), object_pairs_hook=hook)
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
        body = json.loads(utf8_text(raw))
    if isinstance(body, list) and len(body) > max_records:
        return body, []
    return parse_body(raw, len(raw), records_only=True)  # no body holds more objects than bytes


class Utf8Request(Request):
    """A request whose body FastAPI reads as UTF-8 JSON only: json.loads of the bytes, which it
    calls, reads UTF-16 and UTF-32 too (a 400 here: JSON between systems is UTF-8)."""

    def __init__(self, request: Request, raw: bytes) -> None:
        super().__init__(request.scope, request.receive)
        self.raw_body = raw

    async def body(self) -> bytes:
        return self.raw_body

    async def json(self) -> Any:
        return json.loads(utf8_text(self.raw_body))


class ParsedRequest(Utf8Request):
    """A request whose body was read and parsed already: FastAPI takes both from here."""

    def __init__(self, request: Request, raw: bytes, parsed: Any) -> None:
        super().__init__(request, raw)
        self.parsed_body = parsed

    async def json(self) -> Any:
        return self.parsed_body


async def parsed_json(request: Request) -> Request:
    """The request with its body parsed once: 415 when not sent as plain JSON, 422 for a key
    repeated in one object (json keeps the last silently); bodies json refuses are left to
    FastAPI."""
    headers = request.headers
    refusal = json_refusal(headers.get("content-type")) or encoding_refusal(
        headers.get("content-encoding")
    )
    if refusal:
        raise HTTPException(status_code=415, detail=refusal)
    raw = await request.body()
    max_records = request.app.state.max_records
    try:  # in a worker thread: a large body must not hold up the other requests meanwhile
        body, repeated = await run_in_threadpool(parsed_or_refused, raw, max_records)
    except (ValueError, RecursionError):  # FastAPI parses it again to answer as it always has
        return Utf8Request(request, raw)
    if repeated:
        raise RequestValidationError(repeated)
    return ParsedRequest(request, raw, body)


class JsonBodyRoute(APIRoute):
    """/predict's route: the body is checked and parsed (parsed_json) before FastAPI reads it."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def parse_then_handle(request: Request) -> Response:
            return await handler(await parsed_json(request))

        return parse_then_handle
