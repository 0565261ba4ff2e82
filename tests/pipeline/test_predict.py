"""Batch scoring through the real CLI in a git copy: artifacts of a tag, and input from S3."""

from __future__ import annotations

import hashlib
from pathlib import Path

import boto3
import numpy as np
import pandas as pd
import pytest

from churn.features import FeatureSpec
from churn.model import load_model, predict_proba
from churn.model_matrix import transform
from tests.helpers import commit_all, run, set_params
from tests.s3_server import BUCKET, CREDENTIALS

pytestmark = pytest.mark.pipeline


def score(root: Path, *args: str, check: bool = True):
    return run(root, "python", "-m", "churn.predict", *args, check=check)


def test_scoring_with_the_artifacts_of_a_tag(scratch_repo: Path, tmp_path: Path):
    """--rev v1 scores with the v1 model after the workspace has moved on to another model."""
    run(scratch_repo, "git", "tag", "v1")
    v1_model = tmp_path / "v1_model.json"
    v1_model.write_bytes((scratch_repo / "models/model.json").read_bytes())
    spec = FeatureSpec.load(scratch_repo / "models/features.json")
    set_params(scratch_repo, **{"train.max_depth": 2})
    run(scratch_repo, "dvc", "repro")
    commit_all(scratch_repo, "shallower trees")
    rows = pd.read_parquet(scratch_repo / "data/interim/split/test.parquet").head(300)
    rows.to_parquet(tmp_path / "rows.parquet")
    run(scratch_repo, "dvc", "config", "--local", "cache.type", "symlink")
    run(scratch_repo, "dvc", "checkout", "--relink")  # the model file: a link into the cache
    absolute = ["--model", str(scratch_repo / "models/model.json")]  # was "no such file"
    for name, rev in (("v1", ["--rev", "v1", *absolute]), ("head", [])):
        out = str(tmp_path / f"{name}.parquet")
        score(scratch_repo, "--input", str(tmp_path / "rows.parquet"), "--output", out, *rev)
    old, new = pd.read_parquet(tmp_path / "v1.parquet"), pd.read_parquet(tmp_path / "head.parquet")
    commit = run(scratch_repo, "git", "rev-parse", "--short=10", "v1").stdout.strip()
    md5 = hashlib.md5(v1_model.read_bytes()).hexdigest()
    assert set(old["model_version"]) == {f"{commit}+md5:{md5}"}
    assert new["model_version"][0].startswith("workspace+md5:")
    expected = predict_proba(load_model(v1_model), transform(rows, spec))
    np.testing.assert_array_equal(old["churn_probability"].to_numpy(), expected)
    assert not np.array_equal(new["churn_probability"].to_numpy(), expected)


def test_an_unknown_revision_is_one_clear_line(scratch_repo: Path, tmp_path: Path):
    test = str(scratch_repo / "data/interim/split/test.parquet")
    out = str(tmp_path / "s.csv")
    result = score(scratch_repo, "--input", test, "--output", out, "--rev", "nope", check=False)
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == "churn.predict: error: --rev nope: not a git revision of this repository"
    )


def test_a_local_dvc_setting_the_revision_cannot_take_is_named(scratch_repo: Path, tmp_path):
    """A .dvc/config.local that sets the endpoint of a remote the revision does not define (the
    README's S3 set-up, then --rev of an older commit) used to be blamed on params.yaml."""
    (scratch_repo / ".dvc/config.local").write_text("['remote \"ghost\"']\n    endpointurl = x\n")
    test = str(scratch_repo / "data/interim/split/test.parquet")
    out = str(tmp_path / "s.csv")
    result = score(scratch_repo, "--input", test, "--output", out, "--rev", "HEAD", check=False)
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("churn.predict: error: --rev HEAD: DVC's settings at HEAD, with this ")
    assert "config.local" in line and "params.yaml" not in line


def test_scoring_reads_and_writes_s3(scratch_repo: Path, s3_endpoint: str, monkeypatch):
    """Input and output as s3:// URLs on a local moto server."""
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1", **{
        "aws_access_key_id": "testing", "aws_secret_access_key": "testing"})  # fmt: skip
    client.upload_file(str(scratch_repo / "data/raw/snapshot_2026-06.csv"), BUCKET, "in/june.csv")
    env = {**CREDENTIALS, "FSSPEC_S3_ENDPOINT_URL": s3_endpoint, "AWS_DEFAULT_REGION": "us-east-1"}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    result = score(
        scratch_repo, "--input", f"s3://{BUCKET}/in/june.csv", "--output",
        f"s3://{BUCKET}/out/scores.csv",
    )  # fmt: skip
    assert '"rows_rejected": 0' in result.stdout
    body = client.get_object(Bucket=BUCKET, Key="out/scores.csv")["Body"].read().decode()
    source_rows = (scratch_repo / "data/raw/snapshot_2026-06.csv").read_text().count("\n") - 1
    header = '"id","snapshot_month","churn_probability","churn_decision","model_version"'
    assert body.startswith(header)  # the input has snapshots: each score names its own
    assert body.count("\n") - 1 == source_rows
