"""The API's HTTP layer through a real uvicorn process: paths with a trailing slash, CORS (opt-in
with CHURN_CORS_ORIGINS), gzip for large answers, and the 413's shape."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest

from churn.serve_http import accepts_gzip
from tests.helpers import REPO
from tests.model.server import MAX_BODY_BYTES, serving_env, start_server, write_lock
from tests.model.test_serving import records, served_pair

PAGE = "https://app.example.com"
PREFLIGHT = {"Origin": PAGE, "Access-Control-Request-Method": "POST"}


@pytest.fixture(scope="module")
def default_api(trained, tmp_path_factory) -> Iterator[str]:
    lock = write_lock(tmp_path_factory.mktemp("lock"), *served_pair(trained))
    yield from start_server(serving_env(trained.root, CHURN_DVC_LOCK=str(lock)), REPO)


@pytest.fixture(scope="module")
def cors_api(trained, tmp_path_factory) -> Iterator[str]:
    """Origins written as people write them: case, a trailing slash, a default port."""
    lock = write_lock(tmp_path_factory.mktemp("lock"), *served_pair(trained))
    origins = "HTTPS://App.Example.com:443/, http://localhost:3000"
    env = serving_env(trained.root, CHURN_DVC_LOCK=str(lock), CHURN_CORS_ORIGINS=origins)
    yield from start_server(env, REPO)


@pytest.mark.parametrize("slashes", ["/", "//"])
def test_a_path_with_a_trailing_slash_is_answered_as_the_path(default_api, trained, slashes):
    """/predict/ was a 307 with an empty body and a Location built from the Host header: a
    client that does not follow redirects (httpx by default) took the empty 307 as the answer."""
    record = records(trained.test_rows.head(1))[0]
    plain = httpx.post(f"{default_api}/predict", json=record)
    slashed = httpx.post(f"{default_api}/predict{slashes}", json=record)
    assert (slashed.status_code, slashed.json()) == (200, plain.json())
    for path in ("/health", "/model", "/openapi.json", "/docs", "/redoc"):
        answer = httpx.get(f"{default_api}{path}{slashes}")
        assert (answer.status_code, answer.content) == (200, httpx.get(default_api + path).content)
    wrong = httpx.get(f"{default_api}/predict/")
    assert wrong.status_code == 405 and wrong.headers["allow"] == "POST"
    unknown = httpx.get(f"{default_api}/predicts/").json()["detail"]
    assert unknown.startswith("No such path: /predicts/; the API answers /health")


def test_without_cors_origins_a_preflight_is_refused_and_no_cors_header_sent(default_api, trained):
    """The default: the API as it was, no origin allowed (a browser then refuses the answer)."""
    preflight = httpx.options(f"{default_api}/predict", headers=PREFLIGHT)
    assert preflight.status_code == 405
    assert not any(name.startswith("access-control-") for name in preflight.headers)
    record = records(trained.test_rows.head(1))[0]
    simple = httpx.post(f"{default_api}/predict", json=record, headers={"Origin": PAGE})
    assert simple.status_code == 200 and "access-control-allow-origin" not in simple.headers


def test_cors_origins_let_those_pages_call_the_api(cors_api, trained):
    """A preflight got a 405: a page of another origin could not call /predict with JSON."""
    asked = PREFLIGHT | {"Access-Control-Request-Headers": "content-type"}
    preflight = httpx.options(f"{cors_api}/predict", headers=asked)
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == PAGE
    assert preflight.headers["access-control-allow-methods"] == "GET, HEAD, POST"
    assert "Content-Type" in preflight.headers["access-control-allow-headers"]
    record = records(trained.test_rows.head(1))[0]
    simple = httpx.post(f"{cors_api}/predict", json=record, headers={"Origin": PAGE})
    assert simple.status_code == 200 and simple.headers["access-control-allow-origin"] == PAGE
    local = httpx.get(f"{cors_api}/health", headers={"Origin": "http://localhost:3000"})
    assert local.headers["access-control-allow-origin"] == "http://localhost:3000"
    sent = {"Origin": PAGE, "content-type": "application/json"}
    too_large = httpx.post(f"{cors_api}/predict", content=b" " * (MAX_BODY_BYTES + 1), headers=sent)
    assert too_large.status_code == 413 and too_large.headers["access-control-allow-origin"] == PAGE


def test_a_page_of_another_origin_is_refused_in_json(cors_api, trained):
    """Starlette's refusal was plain text ('Disallowed CORS origin')."""
    other = {"Origin": "https://evil.example", "Access-Control-Request-Method": "DELETE"}
    refused = httpx.options(f"{cors_api}/predict", headers=other)
    assert refused.status_code == 400 and "access-control-allow-origin" not in refused.headers
    assert refused.json() == {
        "detail": "CORS preflight refused: origin 'https://evil.example' is not in "
        "CHURN_CORS_ORIGINS; method 'DELETE' is not one the API answers (GET, HEAD, POST)"
    }
    record = records(trained.test_rows.head(1))[0]
    simple = httpx.post(
        f"{cors_api}/predict", json=record, headers={"Origin": "https://evil.example"}
    )
    assert simple.status_code == 200 and "access-control-allow-origin" not in simple.headers


@pytest.mark.parametrize("origins", ["app.example.com", "https://app.example.com/predict"])
def test_a_cors_origin_that_is_no_origin_is_refused_at_start(trained, origins):
    env = serving_env(trained.root, CHURN_CORS_ORIGINS=origins)
    command = [sys.executable, "-c", "import churn.serve as s; s.app"]
    run = subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    assert f"CHURN_CORS_ORIGINS: {origins!r} is not an origin" in run.stderr


def test_a_large_answer_is_gzipped_for_a_client_that_accepts_it(default_api, trained):
    """A 10,000-record answer was ~1.3 MB whatever the client accepted."""
    body = records(trained.test_rows.head(2000))
    plain = httpx.post(f"{default_api}/predict", json=body, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert int(plain.headers["content-length"]) == len(plain.content)
    with httpx.stream("POST", f"{default_api}/predict", json=body,
                      headers={"Accept-Encoding": "gzip"}) as zipped:  # fmt: skip
        raw = b"".join(zipped.iter_raw())
    assert zipped.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["vary"]
    assert len(raw) < len(plain.content) / 4
    assert json.loads(gzip.decompress(raw)) == plain.json()


@pytest.mark.parametrize("accepted", ["gzip;q=0", "identity, gzip; q=0.0", "br, deflate"])
def test_a_client_that_refuses_gzip_gets_plain_json(default_api, trained, accepted):
    """`gzip;q=0` says "not gzip" (RFC 9110): Starlette read any mention of gzip as a yes."""
    body = records(trained.test_rows.head(2000))
    answer = httpx.post(f"{default_api}/predict", json=body, headers={"Accept-Encoding": accepted})
    assert answer.status_code == 200 and "content-encoding" not in answer.headers
    assert int(answer.headers["content-length"]) == len(answer.content)


def test_accepts_gzip_reads_the_weights():
    assert [accepts_gzip(v) for v in ("gzip", "GZIP;Q=0.5", "gzip;q=1, br", "gzip;q=x")] == [
        True
    ] * 4
    assert [accepts_gzip(v) for v in ("", "x-gzip", "gzip;q=0", "gzip;q=0.000")] == [False] * 4


def test_a_one_record_answer_is_sent_as_it_is(default_api, trained):
    """Below GZIP_MIN_BYTES compressing saves nothing worth the time."""
    one = records(trained.test_rows.head(1))[0]
    answer = httpx.post(f"{default_api}/predict", json=one, headers={"Accept-Encoding": "gzip"})
    assert answer.status_code == 200 and "content-encoding" not in answer.headers


@pytest.mark.parametrize("chunked", [False, True])
def test_the_413_is_shaped_as_the_other_errors_and_names_limit_and_size(default_api, chunked):
    """It named the limit but neither the size sent nor, by its spacing, the API's encoding."""
    body = b" " * (MAX_BODY_BYTES + 5)
    content = iter([body]) if chunked else body  # an iterator: sent chunked, no Content-Length
    refused = httpx.post(f"{default_api}/predict", content=content,
                         headers={"content-type": "application/json"})  # fmt: skip
    assert refused.status_code == 413 and refused.headers["content-type"] == "application/json"
    size = "larger than" if chunked else f"{MAX_BODY_BYTES + 5} bytes (its Content-Length), above"
    assert refused.content == json.dumps(
        {"detail": f"The body is {size} the limit of {MAX_BODY_BYTES} bytes (CHURN_MAX_BODY_BYTES)"
         ": send fewer records per request, or use batch scoring"}, separators=(",", ":")
    ).encode()  # fmt: skip
