"""The API's HTTP layer, as ASGI middleware: a path sent with a trailing slash answered as the
path, CORS when CHURN_CORS_ORIGINS allows origins, gzip for large answers, and the body limit."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from starlette.datastructures import Headers
from starlette.middleware.cors import SAFELISTED_HEADERS, CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import JSONResponse, Response
from starlette.routing import Match

from churn.body_limit import BodySizeLimit
from churn.request_model import shortened

GZIP_MIN_BYTES = 1000  # a 1-record answer (~330 bytes) is sent as it is: nothing to gain
GZIP_LEVEL = 6  # a 10,000-record answer: 1.27 MB -> 177 kB in ~21 ms (level 9: 171 kB, ~70 ms)
STATIC = "/static-offline-docs/"  # streamed files: gzip would drop their Content-Length
CORS_METHODS = ("GET", "HEAD", "POST")


def routed_path(scope: dict[str, Any]) -> dict[str, Any]:
    """The scope of a path sent with trailing slashes ('/predict/') as the path without them,
    when no route takes it as sent and a route takes it without; else the scope as it is."""
    routes = scope["app"].router.routes
    if any(route.matches(scope)[0] != Match.NONE for route in routes):
        return scope
    path = scope["path"].rstrip("/") or "/"
    raw = scope.get("raw_path") or scope["path"].encode()
    stripped = dict(scope, path=path, raw_path=raw.rstrip(b"/") or b"/")  # a copy: logs show
    if any(route.matches(stripped)[0] != Match.NONE for route in routes):  # what was sent
        return stripped
    return scope


class TrailingSlash:
    """Answer '/predict/' as '/predict' (Starlette answered a 307 redirect with an empty body,
    which clients that do not follow redirects took as the answer)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and len(path) > 1 and path.endswith("/"):
            scope = routed_path(scope)
        await self.app(scope, receive, send)


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether an Accept-Encoding value names gzip with a weight above 0 (`gzip;q=0` refuses it;
    Starlette's check, `"gzip" in value`, took it for a yes)."""
    for item in accept_encoding.lower().split(","):
        name, *params = (part.strip() for part in item.split(";"))
        if name == "gzip":
            weights = [p.partition("=")[2] for p in params if p.partition("=")[0].strip() == "q"]
            try:
                return not weights or float(weights[0]) > 0
            except ValueError:  # a weight that is no number: as if unweighted, not refused
                return True
    return False


class GZipAnswers(GZipMiddleware):
    """gzip for answers sent whole to clients that accept it; the docs' files, streamed, are
    sent as they are."""

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and (
            scope["path"].startswith(STATIC)
            or not accepts_gzip(Headers(scope=scope).get("accept-encoding", ""))
        ):
            return await self.app(scope, receive, send)
        return await super().__call__(scope, receive, send)


class JsonCors(CORSMiddleware):
    """CORSMiddleware whose refused preflight is a JSON 400 saying what was refused, like the
    API's other errors (it was plain text, 'Disallowed CORS origin')."""

    def preflight_response(self, request_headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code == 200:
            return response
        refused = bytes(response.body).decode().removeprefix("Disallowed CORS ").split(", ")
        methods, headers = ", ".join(CORS_METHODS), ", ".join(sorted(SAFELISTED_HEADERS))
        asked = request_headers.get("access-control-request-headers", "")
        sent = {
            "origin": f"origin {shortened(request_headers['origin'])!r} is not in "
            "CHURN_CORS_ORIGINS",
            "method": f"method {shortened(request_headers['access-control-request-method'])!r} "
            f"is not one the API answers ({methods})",
            "headers": f"headers {shortened(asked)!r} are not all ones the API reads ({headers})",
        }
        listed = "; ".join(sent.get(part, f"{part} not allowed") for part in refused)
        detail = f"CORS preflight refused: {listed}"
        kept = {k: v for k, v in response.headers.items() if k.startswith(("access-", "vary"))}
        return JSONResponse({"detail": detail}, 400, headers=kept)


def add_http_layer(app: FastAPI, max_body_bytes: int, cors_origins: tuple[str, ...]) -> None:
    """The middleware, innermost first: trailing slashes, body limit, gzip, CORS (outermost,
    so that every answer, a 413 too, carries its headers); no CORS when no origin is allowed."""
    app.router.redirect_slashes = False  # TrailingSlash answers them instead
    app.add_middleware(TrailingSlash)
    app.add_middleware(BodySizeLimit, max_bytes=max_body_bytes)
    app.add_middleware(GZipAnswers, minimum_size=GZIP_MIN_BYTES, compresslevel=GZIP_LEVEL)
    if cors_origins:
        app.add_middleware(JsonCors, allow_origins=cors_origins, allow_methods=CORS_METHODS)
