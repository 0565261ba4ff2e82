"""A real S3 API server (moto) on 127.0.0.1 for the tests, started and stopped by a fixture."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

import boto3
import pytest

from tests.helpers import VENV_BIN

BUCKET = "churn-dvc"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def s3_client(endpoint: str):
    """A boto3 S3 client for the local moto server, with its dummy credentials."""
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@contextmanager
def moto_server(**env: str) -> Iterator[str]:
    """A moto S3 server on 127.0.0.1 (env: its settings), with the bucket the `s3` remote names;
    yields its endpoint URL and stops it at the end."""
    port = free_port()
    server = subprocess.Popen(
        [str(VENV_BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        client = s3_client(endpoint)
        for _ in range(100):
            try:
                client.create_bucket(Bucket=BUCKET)
                break
            except Exception:  # the server is still starting (a refused request is not counted)
                time.sleep(0.1)
        yield endpoint
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """A moto S3 server on 127.0.0.1, with the bucket the `s3` remote names; any keys do."""
    with moto_server() as endpoint:
        yield endpoint


@pytest.fixture(scope="module")
def checking_s3_endpoint() -> Iterator[str]:
    """A moto S3 server that checks credentials after its first two requests, which create the
    bucket and one object, src/a.csv (the s3_endpoint server accepts any keys)."""
    with moto_server(INITIAL_NO_AUTH_ACTION_COUNT="2") as endpoint:
        s3_client(endpoint).put_object(Bucket=BUCKET, Key="src/a.csv", Body=b"customer_id\nC1\n")
        yield endpoint
