"""The API's paths and methods: HEAD wherever GET, a 405 that names the methods its path answers,
and a 404 that names the paths the API answers."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from churn.request_model import shortened


def answer_head(app: FastAPI) -> None:
    """HEAD wherever GET (load balancers and uptime checkers send it): FastAPI's GET routes, the
    docs pages fastapi-offline adds among them, answered it with 405. A path with a HEAD route of
    its own (/health, /model: one operation id each in the document) keeps it."""
    routes = [route for route in app.routes if isinstance(route, Route)]  # APIRoute is one
    heads = {route.path for route in routes if "HEAD" in (route.methods or ())}
    for route in routes:
        if isinstance(route, APIRoute) and "GET" in route.methods and route.path not in heads:
            route.methods.add("HEAD")


def allowed_methods(routes: list, request: Request) -> list[str]:
    """Every method the routes of the request's path answer (a path may have a route per
    method; the docs' files are a mount of StaticFiles, which answers GET and HEAD)."""
    methods: set[str] = set()
    for route in routes:
        if isinstance(route, Route) and route.path_regex.match(request.url.path):
            methods |= route.methods or set()
        elif isinstance(route, Mount) and isinstance(route.app, StaticFiles):
            methods |= {"GET", "HEAD"} if request.url.path.startswith(f"{route.path}/") else set()
    return sorted(methods)


async def method_not_allowed(request: Request, error: HTTPException) -> JSONResponse:
    """The 405, naming the methods the path answers, in the text and in Allow: Starlette's
    Allow named those of the path's first route alone (GET for /health, which answers HEAD
    too), and its text, "Method Not Allowed", none."""
    allowed = ", ".join(allowed_methods(request.app.routes, request))
    path = shortened(request.url.path)
    detail = f"{request.method} is not allowed on {path}: it answers {allowed}"
    return JSONResponse({"detail": detail}, 405, headers={"Allow": allowed})


async def not_found(request: Request, error: HTTPException) -> JSONResponse:
    """The 404, naming the paths the API answers (it said "Not Found" alone)."""
    methods: dict[str, set[str]] = {}  # a path may have a route per method
    for route in request.app.routes:
        if isinstance(route, Route) and route.include_in_schema:
            methods.setdefault(route.path, set()).update(route.methods or ())
    paths = ", ".join(f"{path} ({', '.join(sorted(names))})" for path, names in methods.items())
    detail = (
        f"No such path: {shortened(request.url.path)}; the API answers {paths}, and its "
        "documentation: /docs, /redoc, /openapi.json"
    )
    return JSONResponse({"detail": detail}, 404)
