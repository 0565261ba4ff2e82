"""The API's documentation pages through a real uvicorn process: /docs (Swagger UI) and /redoc
work without a network, everything they load served by the API itself."""

from __future__ import annotations

import re
import subprocess
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import jsonschema
import pytest

from tests.helpers import REPO
from tests.model.server import serving_env, start_server, write_lock
from tests.model.test_serving import served_pair

# what each asset must be: (content types, text the genuine file holds); Python's mimetypes says
# application/javascript, or text/javascript where /etc/mime.types does: browsers run both
ASSETS = {
    ".js": ({"text/javascript", "application/javascript"}, None),
    ".css": ({"text/css"}, ".swagger-ui"),
    ".png": ({"image/png"}, None),
    ".json": ({"application/json"}, '"openapi"'),
}


@pytest.fixture(scope="module")
def docs_api(trained, tmp_path_factory) -> Iterator[str]:
    lock = write_lock(tmp_path_factory.mktemp("lock"), *served_pair(trained))
    yield from start_server(serving_env(trained.root, CHURN_DVC_LOCK=str(lock)), REPO)


class Links(HTMLParser):
    """Every URL a page loads: src and href attributes, and quoted URLs in its scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = [value for name, value in attrs if name in ("src", "href", "spec-url")]
        self.urls += [value for value in named if value]

    def handle_data(self, data: str) -> None:
        self.urls += re.findall(r"""(?:url|href|src)\s*[:=]\s*['"]([^'"]+)['"]""", data)


def loaded_urls(html: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    return parser.urls


@pytest.mark.parametrize(
    ("page", "script", "marker"),
    [("/docs", "swagger-ui-bundle.js", "SwaggerUIBundle"), ("/redoc", "redoc", "Redoc")],
)
def test_docs_pages_load_only_what_the_api_serves(docs_api, page, script, marker):
    """Swagger UI and ReDoc came from a CDN: offline, or behind a proxy, the pages were blank."""
    response = httpx.get(f"{docs_api}{page}")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    html = response.text
    assert not re.search(r"(?:https?:)?//", html.replace("window.location.origin", "")), html
    urls = loaded_urls(html)
    assert any(script in url for url in urls), urls
    for url in urls:
        assert url.startswith("/") and not url.startswith("//"), url  # same origin
        asset = httpx.get(f"{docs_api}{url}")
        kinds, text = ASSETS[re.sub(r".*(\.\w+)$", r"\1", url)]
        assert asset.status_code == 200, url
        assert asset.headers["content-type"].split(";")[0] in kinds, url
        assert text is None or text in asset.text, url
        if script in url:  # the real bundle, not an empty stand-in
            assert marker in asset.text and len(asset.content) > 500_000, url


def pages_answering_get(api: str) -> list[str]:
    """Every path the API answers GET on: the document's, the docs pages, and what they load."""
    document = httpx.get(f"{api}/openapi.json").json()
    paths = [path for path, operations in document["paths"].items() if "get" in operations]
    pages = ["/docs", "/redoc", "/docs/oauth2-redirect", "/openapi.json"]
    assets = {url for page in pages[:2] for url in loaded_urls(httpx.get(f"{api}{page}").text)}
    return [*paths, *pages, *sorted(assets)]


def test_head_is_answered_wherever_get_is(docs_api):
    """HEAD /docs, /redoc and /docs/oauth2-redirect were a 405: load balancers and uptime checkers
    send HEAD where a browser sends GET."""
    paths = pages_answering_get(docs_api)
    assert {"/health", "/model", "/docs", "/redoc"} <= set(paths)
    for path in paths:
        get, head = httpx.get(f"{docs_api}{path}"), httpx.head(f"{docs_api}{path}")
        assert (get.status_code, head.status_code) == (200, 200), path
        assert head.content == b"", path
        for header in ("content-type", "content-length"):
            assert head.headers[header] == get.headers[header], (path, header)
    refused = httpx.delete(f"{docs_api}/docs")
    assert refused.status_code == 405
    assert set(refused.headers["allow"].split(", ")) == {"GET", "HEAD"}


def test_the_documented_request_examples_are_valid_and_scored(docs_api):
    """The document had no whole-body example: Swagger UI's "Try it out" started from a body it
    made up from the schema."""
    document = httpx.get(f"{docs_api}/openapi.json").json()
    body = document["paths"]["/predict"]["post"]["requestBody"]["content"]["application/json"]
    check = jsonschema.Draft202012Validator(body["schema"] | {"components": document["components"]})
    inputs = set(httpx.get(f"{docs_api}/model").json()["input_columns"])
    examples = body["examples"]
    assert isinstance(examples["one record"]["value"], dict)
    assert len(examples["records"]["value"]) == 2
    for name, example in examples.items():
        sent = example["value"]
        records = sent if isinstance(sent, list) else [sent]
        assert all(inputs | {"customer_id"} == set(record) for record in records), name
        assert not list(check.iter_errors(sent)), name
        response = httpx.post(f"{docs_api}/predict", json=sent)
        assert response.status_code == 200, (name, response.text)
        scores = response.json()
        assert [one["id"] for one in scores["predictions"]] == [r["customer_id"] for r in records]
        assert (scores["rejected"], scores["ignored_fields"], scores["unknown_categories"]) == (
            [], [], {}
        )  # fmt: skip


DOCS_CHECK = REPO / "docker" / "docs-check.sh"  # docker/smoke.sh runs it against the image


def run_docs_check(url: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", str(DOCS_CHECK), url], capture_output=True, text=True, timeout=120
    )


def test_the_smoke_scripts_docs_check_passes_against_a_real_server(docs_api):
    """docker/smoke.sh did not check the offline docs; it runs this script, which no Docker
    engine is needed to run: here against the server, as against the image."""
    result = run_docs_check(docs_api)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("ok   ") == 4, result.stdout
    assert "/docs: 4 files" in result.stdout and "/redoc: 3 files" in result.stdout


class CdnDocs(BaseHTTPRequestHandler):
    """A stand-in API whose /docs loads Swagger UI from a CDN, as FastAPI's own page does."""

    def do_GET(self) -> None:  # http.server calls it so
        page = b'<script src="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui-bundle.js">'
        self.send_response(200)
        self.send_header("content-type", "text/html; charset=utf-8")
        self.send_header("content-length", str(len(page)))
        self.end_headers()
        self.wfile.write(page)

    def log_message(self, *args) -> None:
        pass


def test_the_docs_check_fails_naming_a_cdn_the_docs_load_from():
    server = ThreadingHTTPServer(("127.0.0.1", 0), CdnDocs)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        result = run_docs_check(f"http://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
    assert result.returncode == 1
    assert "docs: FAIL: /docs loads from another origin: https://cdn.jsdelivr.net/" in result.stderr
