"""A real uvicorn process serving the small trained model on 127.0.0.1 (used by the API tests)."""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import yaml

from tests.helpers import REPO

MAX_BODY_BYTES = 2_000_000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serving_env(root: Path, **overrides: str) -> dict[str, str]:
    """CHURN_* variables pointing at the artifacts the `trained` fixture wrote under root."""
    env = dict(os.environ)
    # the clone's code first; a PYTHONPATH the tests run with stays after it
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "src"), env.get("PYTHONPATH")]))
    env |= {
        "CHURN_MODEL": str(root / "model.json"),
        "CHURN_FEATURES": str(root / "features.json"),
        "CHURN_PARAMS": str(root / "params.yaml"),
        "CHURN_METRICS": str(root / "eval/metrics.json"),
        "CHURN_DVC_LOCK": str(root / "dvc.lock"),
        "CHURN_MAX_BODY_BYTES": str(MAX_BODY_BYTES),
    }
    return env | overrides


def write_lock(folder: Path, model: Path, metrics: Path) -> Path:
    """folder/dvc.lock whose evaluate stage records this model and these metrics, as DVC writes
    it (paths relative to the lock's folder)."""
    folder.mkdir(parents=True, exist_ok=True)

    def entry(path: str, file: Path) -> dict:
        data = file.read_bytes()
        return {"path": path, "hash": "md5", "md5": hashlib.md5(data).hexdigest()}

    evaluate = {
        "deps": [entry("models/model.json", model)],
        "outs": [entry("metrics/evaluate/metrics.json", metrics)],
    }
    lock = folder / "dvc.lock"
    lock.write_text(yaml.safe_dump({"schema": "2.0", "stages": {"evaluate": evaluate}}))
    return lock


def uvicorn_command(port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "churn.serve:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]


def start_server(env: dict[str, str], cwd: Path, command=uvicorn_command) -> Iterator[str]:
    """Start uvicorn (command(port)), wait for /health, yield the base URL, stop it."""
    port = free_port()
    process = subprocess.Popen(
        command(port), env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"server exited: {process.stderr.read().decode()}")
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        else:  # a server that never answers fails here, not as connection errors in the test
            raise RuntimeError(f"{url}/health did not answer 200 within 60 s")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def params_with_an_unread_contract_column(params_file: Path, folder: Path) -> Path:
    """A copy of params_file (in folder) whose contract also holds a required feature column
    the model does not read (as one featurize left out): 'loyalty_points'."""
    column = {"role": "feature", "type": "numeric", "nullable": False}
    return params_with_contract_columns(params_file, folder, loyalty_points=column)


def params_with_contract_columns(params_file: Path, folder: Path, **columns: dict) -> Path:
    """A copy of params_file (in folder) whose contract (contract.yaml, in folder) is its
    contract with these columns set."""
    params = yaml.safe_load(params_file.read_text())
    contract = yaml.safe_load((REPO / params["data"]["contract"]).read_text())
    contract["columns"].update(columns)
    (folder / "contract.yaml").write_text(yaml.safe_dump(contract))
    params["data"]["contract"] = str(folder / "contract.yaml")
    (folder / "params.yaml").write_text(yaml.safe_dump(params))
    return folder / "params.yaml"
