"""Remote storage: the credential-free local remote and S3 through a real moto server."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.helpers import repo_env, run, set_params, stages_run
from tests.s3_server import BUCKET, CREDENTIALS, s3_client

pytestmark = pytest.mark.pipeline


def cached_outputs(root: Path) -> list[Path]:
    """Every output dvc.yaml stores in the DVC cache (and pushes): not the `cache: false` ones,
    which git keeps. A fixed list of folders left out data/scores and the confusion data."""
    stages = yaml.safe_load((root / "dvc.yaml").read_text())["stages"]
    outs = [out for stage in stages.values() for out in stage.get("outs", [])]
    plain = [out for out in outs if isinstance(out, str)]
    kept = [
        name
        for out in outs
        if isinstance(out, dict)
        for name, opts in out.items()
        if (opts or {}).get("cache", True)
    ]
    return [root / name for name in plain + kept]


def digests(root: Path) -> dict[str, str]:
    """Content hash of every file of every cached output."""
    outputs = cached_outputs(root)
    files = [p for out in outputs for p in ([out] if out.is_file() else sorted(out.rglob("*")))]
    return {
        str(p.relative_to(root)): hashlib.md5(p.read_bytes()).hexdigest()
        for p in files
        if p.is_file()
    }


def forget_local_data(root: Path) -> None:
    """Delete the cache and every cached output, as on a fresh clone."""
    shutil.rmtree(root / ".dvc" / "cache")
    for path in cached_outputs(root):
        shutil.rmtree(path) if path.is_dir() else path.unlink()


def run_with(root: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        args, cwd=root, env={**repo_env(root), **env}, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.mark.s3
def test_push_and_pull_through_s3(scratch_repo: Path, s3_endpoint: str):
    run(scratch_repo, "dvc", "remote", "modify", "--local", "s3", "endpointurl", s3_endpoint)
    before = digests(scratch_repo)
    run_with(scratch_repo, CREDENTIALS, "dvc", "push", "-r", "s3")
    listing = s3_client(s3_endpoint).list_objects_v2(Bucket=BUCKET, Prefix="storage/")
    assert listing["KeyCount"] > 0
    forget_local_data(scratch_repo)
    assert "models/model.json" not in digests(scratch_repo)
    run_with(scratch_repo, CREDENTIALS, "dvc", "pull", "-r", "s3")
    assert digests(scratch_repo) == before
    assert "up to date" in run(scratch_repo, "dvc", "status").stdout


def test_default_local_remote_needs_no_credentials(scratch_repo: Path):
    before = digests(scratch_repo)
    run(scratch_repo, "dvc", "push")
    assert (scratch_repo.parent / "churn-dvc-storage").is_dir()
    forget_local_data(scratch_repo)
    run(scratch_repo, "dvc", "pull")
    assert digests(scratch_repo) == before


@pytest.mark.s3
def test_an_s3_source_is_a_tracked_dependency_of_ingest(scratch_repo: Path, s3_endpoint: str):
    """`ingest.source` may be an s3:// URL: `dvc repro` reads the snapshots from the bucket into
    the same table, and a new object under the prefix makes ingest stale."""
    client = s3_client(s3_endpoint)
    snapshots = sorted((scratch_repo / "data/raw").glob("*.csv"))
    for path in snapshots:
        client.upload_file(str(path), BUCKET, f"exports/{path.name}")
    local = (scratch_repo / "data/interim/customers.parquet").read_bytes()
    set_params(scratch_repo, **{"ingest.source": f"s3://{BUCKET}/exports/"})
    env = {**CREDENTIALS, "AWS_ENDPOINT_URL": s3_endpoint, "AWS_DEFAULT_REGION": "us-east-1"}
    result = run_with(scratch_repo, env, "dvc", "repro", "ingest")
    assert stages_run(result.stdout) == ["ingest"]
    assert f"from {len(snapshots)} file(s)" in result.stdout
    assert (scratch_repo / "data/interim/customers.parquet").read_bytes() == local
    assert "up to date" in run_with(scratch_repo, env, "dvc", "status", "ingest").stdout
    client.upload_file(str(snapshots[-1]), BUCKET, "exports/late-export.csv")
    stale = " ".join(run_with(scratch_repo, env, "dvc", "status", "ingest").stdout.split())
    assert f"changed deps: modified: s3://{BUCKET}/exports/" in stale
