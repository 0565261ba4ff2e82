"""ASGI middleware: answer 413 to request bodies above a size limit, declared or streamed."""

from __future__ import annotations

import asyncio
import json
from typing import Any

DRAIN_FACTOR = 8  # bodies above 8x the limit are cut off: the client may then see a reset
DRAIN_WAIT_S = 5.0  # a client that stops sending while the body is drained gets the 413 then


def too_large(max_bytes: int, declared: int | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The two ASGI messages of a 413 JSON response, shaped and encoded as the API's other
    errors are, naming the limit and the size the Content-Length declared, if any."""
    size = "larger than" if declared is None else f"{declared} bytes (its Content-Length), above"
    detail = (
        f"The body is {size} the limit of {max_bytes} bytes (CHURN_MAX_BODY_BYTES): send fewer "
        "records per request, or use batch scoring"
    )  # names the setting, as the 422 for too many records names CHURN_MAX_RECORDS
    body = json.dumps({"detail": detail}, separators=(",", ":")).encode()  # as JSONResponse
    start = {
        "type": "http.response.start",
        "status": 413,
        "headers": [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))],
    }
    return start, {"type": "http.response.body", "body": body}


def declared(length: bytes | None) -> int | None:
    """The size a Content-Length header declares; None without one (a chunked body)."""
    return int(length) if length is not None and length.isdigit() else None


class BodySizeLimit:
    """Reject by Content-Length up front; buffer chunked bodies up to the limit, then reject."""

    def __init__(self, app, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            drain = int(length) <= DRAIN_FACTOR * self.max_bytes  # more is cut off anyway
            return await self.reject(receive, send, drain, int(length))
        messages, size = [], 0
        while True:
            message = await receive()
            messages.append(message)
            size += len(message.get("body", b""))
            if message["type"] != "http.request" or not message.get("more_body"):
                break
            if size > self.max_bytes:
                return await self.reject(receive, send, True, declared(length))
        if size > self.max_bytes:
            return await self.reject(receive, send, False, declared(length))
        return await self.app(scope, self.replay(messages, receive), send)

    async def reject(self, receive, send, more_body: bool, length: int | None) -> None:
        """Read and drop the rest of the body (up to DRAIN_FACTOR times the limit) before the
        413: a client still sending would otherwise see the connection reset, not the answer.
        A client that declared more than it sends gets the 413 after DRAIN_WAIT_S of silence
        (it waited for the rest until it gave up)."""
        drained = 0
        while more_body and drained <= DRAIN_FACTOR * self.max_bytes:
            try:
                message = await asyncio.wait_for(receive(), DRAIN_WAIT_S)
            except TimeoutError:
                break
            drained += len(message.get("body", b""))
            more_body = message["type"] == "http.request" and message.get("more_body", False)
        for message in too_large(self.max_bytes, length):
            await send(message)

    @staticmethod
    def replay(messages: list, receive):
        pending = list(messages)

        async def next_message():
            return pending.pop(0) if pending else await receive()

        return next_message
