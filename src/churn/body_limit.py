"""ASGI middleware: answer 413 to request bodies above a size limit, declared or streamed."""

from __future__ import annotations

import json
from typing import Any


def too_large(max_bytes: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The two ASGI messages of a 413 JSON response."""
    body = json.dumps({"detail": f"request body larger than {max_bytes} bytes"}).encode()
    start = {
        "type": "http.response.start",
        "status": 413,
        "headers": [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))],
    }
    return start, {"type": "http.response.body", "body": body}


class BodySizeLimit:
    """Reject by Content-Length up front; buffer chunked bodies up to the limit, then reject."""

    def __init__(self, app, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            return await self.reject(send)
        messages, size = [], 0
        while True:
            message = await receive()
            messages.append(message)
            size += len(message.get("body", b""))
            if size > self.max_bytes:
                return await self.reject(send)
            if message["type"] != "http.request" or not message.get("more_body"):
                break
        return await self.app(scope, self.replay(messages, receive), send)

    async def reject(self, send) -> None:
        for message in too_large(self.max_bytes):
            await send(message)

    @staticmethod
    def replay(messages: list, receive):
        pending = list(messages)

        async def next_message():
            return pending.pop(0) if pending else await receive()

        return next_message
