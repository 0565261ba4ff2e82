"""The scoring API through a real uvicorn process: a large /predict body is validated off the
event loop, so the server answers other requests meanwhile. No timings: the server is launched
with a request model whose validation of a marked record waits until /health has been answered
(HOLD_S at most), which it can only be while validation leaves the event loop free."""

from __future__ import annotations

import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.helpers import REPO
from tests.model.server import serving_env, start_server, write_lock
from tests.model.test_serving import records, served_pair

HOLD_S = 20  # how long a held validation waits for /health: on the event loop, in vain

# argv: port, file to create when validation of the marked record begins
HELD_SERVER = f"""
import sys, threading
from pathlib import Path

import uvicorn
from pydantic import create_model, model_validator

from churn import serve

entered, answered = Path(sys.argv[2]), threading.Event()
build = serve.build_request_model


def hold(cls, record):
    if isinstance(record, dict) and record.get("hold") and not entered.exists():
        answered.clear()  # of start_server's /health calls
        entered.touch()
        released = answered.wait({HOLD_S})  # until /health has been answered
        entered.write_text("answered" if released else "timed out")
    return record


def held_model(*args, **kwargs):
    rules = {{"hold": model_validator(mode="before")(hold)}}
    return create_model("Customer", __base__=build(*args, **kwargs), __validators__=rules)


serve.build_request_model = held_model
app = serve.app_from_env()


async def health_marked(scope, receive, send):
    await app(scope, receive, send)
    if scope["type"] == "http" and scope["path"] == "/health":
        answered.set()


uvicorn.run(health_marked, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""


def held_body(trained, kind: str) -> list[dict]:
    """10,000 records: empty (a 422 of 200,000 errors), or real ones (scored); the first marked."""
    rows = records(trained.test_rows) if kind == "valid" else [{}]
    body = [rows[at % len(rows)] | {"customer_id": f"C{at:07d}"} for at in range(10_000)]
    return [body[0] | {"hold": True}, *body[1:]]


def wait_for(path: Path, pending) -> None:
    """Until path exists (the server began validating the marked record)."""
    for _ in range(1200):  # a bound, not a timing: the file comes at once or never
        if path.exists() or pending.done():
            break
        time.sleep(0.05)
    assert path.exists(), "the marked record was never validated"


@pytest.mark.parametrize(("kind", "status"), [("empty", 422), ("valid", 200)])
def test_health_answers_while_a_large_body_is_validated(trained, tmp_path, kind, status):
    """FastAPI validated the body on the event loop: 10,000 bad records held /health ~2 s."""
    entered = tmp_path / "entered"
    lock = write_lock(tmp_path / "lock", *served_pair(trained))
    env = serving_env(trained.root, CHURN_DVC_LOCK=str(lock), CHURN_MAX_BODY_BYTES="16000000")

    def command(port: int) -> list[str]:
        return [sys.executable, "-c", HELD_SERVER, str(port), str(entered)]

    def predict(url: str) -> httpx.Response:
        return httpx.post(f"{url}/predict", json=held_body(trained, kind), timeout=300)

    for url in start_server(env, REPO, command):
        with ThreadPoolExecutor(1) as pool:
            pending = pool.submit(predict, url)
            wait_for(entered, pending)
            health = httpx.get(f"{url}/health", timeout=300)
            response = pending.result()
        # /health was answered while the validation was held (not after the hold gave up)
        assert (health.status_code, entered.read_text()) == (200, "answered")
        assert response.status_code == status, response.text[:300]
        if kind == "valid":
            assert len(response.json()["predictions"]) == 10_000
        else:
            assert response.json()["error_count"] == 10_000 * 20
