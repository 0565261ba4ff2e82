"""Batch scoring to and from S3, through a real S3 API server (moto) on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO
from tests.model.test_predict import artifact_args
from tests.s3_server import BUCKET, CREDENTIALS, free_port, s3_client

pytestmark = pytest.mark.s3


def predict_s3(trained, endpoint: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    """churn.predict as a separate process (fsspec reads its S3 settings at start-up)."""
    settings = {
        **CREDENTIALS,
        "FSSPEC_S3_ENDPOINT_URL": endpoint,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",  # no credential lookups beyond loopback
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "churn.predict", *args, *artifact_args(trained.root)],
        capture_output=True, text=True, cwd=REPO, env={**os.environ, **settings},
    )  # fmt: skip


def object_body(endpoint: str, key: str) -> bytes | None:
    client = s3_client(endpoint)
    try:
        return client.get_object(Bucket=BUCKET, Key=key)["Body"].read()
    except client.exceptions.NoSuchKey:
        return None


def test_a_failed_run_leaves_the_earlier_scores_in_the_bucket(trained, s3_endpoint, tmp_path):
    """Nothing is uploaded until every chunk went through: the earlier result stays whole."""
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    trained.test_rows.head(60).to_csv(good, index=False)
    rows = trained.test_rows.head(60).astype({"tenure_months": object}).reset_index(drop=True)
    rows.loc[30:, "tenure_months"] = "unknown"  # the second chunk: the column changed type
    rows.to_csv(bad, index=False)
    output = ["--output", f"s3://{BUCKET}/runs/scores.csv", "--chunk-size", "30"]
    assert predict_s3(trained, s3_endpoint, "--input", str(good), *output).returncode == 0
    before = object_body(s3_endpoint, "runs/scores.csv")
    assert before is not None and before.count(b"\n") == 61
    failed = predict_s3(trained, s3_endpoint, "--input", str(bad), *output)
    assert failed.returncode == 2 and "no longer holds numeric values" in failed.stderr
    assert object_body(s3_endpoint, "runs/scores.csv") == before
    assert object_body(s3_endpoint, "runs/scores.rejects.csv").count(b"\n") == 1  # header only


def test_a_missing_bucket_is_refused_not_created(trained, s3_endpoint, tmp_path):
    trained.test_rows.head(3).to_csv(tmp_path / "in.csv", index=False)
    args = ["--input", str(tmp_path / "in.csv"), "--output", "s3://no-such-bucket/o.csv"]
    result = predict_s3(trained, s3_endpoint, *args)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "churn.predict: error: s3://no-such-bucket/o.csv: no such bucket 'no-such-bucket' "
        "(it is not created for you)"
    )
    buckets = s3_client(s3_endpoint).list_buckets()["Buckets"]
    assert "no-such-bucket" not in {bucket["Name"] for bucket in buckets}


@pytest.mark.parametrize(
    ("source", "fallback", "absent"),
    [
        ("s3://no-such-bucket/in.csv", False, "no such bucket 'no-such-bucket'"),
        ("s3://no-such-bucket/in.csv", True, "no such bucket 'no-such-bucket'"),
        (f"s3://{BUCKET}/no-such-key.csv", False, "no such file"),
    ],
)
def test_an_input_in_a_bucket_that_does_not_exist_is_named_as_such(
    trained, s3_endpoint, tmp_path, source, fallback, absent
):
    """A misspelt input bucket was "s3://no-such-bucket/in.csv: no such file", sending the user
    after the key, where churn.ingest and the outputs name the bucket."""
    trained.test_rows.head(3).to_csv(tmp_path / "in.csv", index=False)
    extra = ["--fallback", str(tmp_path / "in.csv")] if fallback else []
    args = ["--input", source, "--output", str(tmp_path / "o.csv"), *extra]
    result = predict_s3(trained, s3_endpoint, *args)
    assert result.returncode == 2
    assert result.stderr.strip() == f"churn.predict: error: {source}: {absent}"


@pytest.mark.parametrize("problem", ["no credentials", "no server"])
def test_object_store_client_errors_are_one_line_naming_the_urls(
    trained, s3_endpoint, tmp_path, problem
):
    s3_client(s3_endpoint).put_object(Bucket=BUCKET, Key="in/rows.csv", Body=b"customer_id\n1\n")
    env = (
        {"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SHARED_CREDENTIALS_FILE": str(
            tmp_path / "none"), "AWS_CONFIG_FILE": str(tmp_path / "none")}
        if problem == "no credentials"
        else {"FSSPEC_S3_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}", "AWS_MAX_ATTEMPTS": "1"}
    )  # fmt: skip
    args = ["--input", f"s3://{BUCKET}/in/rows.csv", "--output", str(tmp_path / "o.csv")]
    result = predict_s3(trained, s3_endpoint, *args, **env)
    assert result.returncode == 2, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"churn.predict: error: s3://{BUCKET}/in/rows.csv: ")
    assert not Path(tmp_path / "o.csv").exists()


@pytest.mark.parametrize("problem", ["refused credentials", "no server"])
def test_an_output_bucket_that_refuses_or_cannot_be_reached_is_not_called_missing(
    trained, checking_s3_endpoint, tmp_path, problem
):
    """Any failure to look the bucket up used to read "no such bucket"."""
    trained.test_rows.head(3).to_csv(tmp_path / "in.csv", index=False)
    endpoint = checking_s3_endpoint if problem == "refused credentials" else (
        f"http://127.0.0.1:{free_port()}")  # fmt: skip
    args = ["--input", str(tmp_path / "in.csv"), "--output", f"s3://{BUCKET}/out/o.csv"]
    result = predict_s3(trained, endpoint, *args, AWS_MAX_ATTEMPTS="1")
    assert result.returncode == 2, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"churn.predict: error: s3://{BUCKET}/out/o.csv")
    assert "no such bucket" not in line


def test_a_summary_on_s3_goes_to_the_bucket(trained, s3_endpoint, tmp_path):
    """As the README's S3 example with --summary added: it was written to a local folder 's3:'
    in the working directory, exit 0, and nothing reached the bucket."""
    trained.test_rows.head(3).to_csv(tmp_path / "in.csv", index=False)
    args = ["--input", str(tmp_path / "in.csv"), "--output", f"s3://{BUCKET}/runs/scores.csv"]
    result = predict_s3(trained, s3_endpoint, *args, "--summary", f"s3://{BUCKET}/runs/sum.json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert json.loads(object_body(s3_endpoint, "runs/sum.json") or b"null") == summary
    assert not (REPO / "s3:").exists()
