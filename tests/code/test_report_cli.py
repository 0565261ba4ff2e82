"""`python -m churn.report` and `python -m churn.gate` in a small git and DVC repository whose
workspace `dvc status` finds out of date, as after editing params.yaml or `make next-month`
without `dvc repro`."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO, repo_env

STAGE = (
    "stages:\n  copy:\n    cmd: cp input.txt out.txt\n    deps: [input.txt]\n    outs: [out.txt]\n"
)


def cli(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = repo_env(root) | {"PYTHONPATH": str(REPO / "src")}
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=root, env=env, capture_output=True, text=True
    )


@pytest.fixture
def stale_repository(tmp_path: Path) -> Path:
    """One commit with a stage never reproduced: the workspace's outputs are not its own."""
    shutil.copy(REPO / "params.yaml", tmp_path / "params.yaml")
    (tmp_path / "input.txt").write_text("x\n")
    (tmp_path / "dvc.yaml").write_text(STAGE)
    env = repo_env(tmp_path)
    for command in (
        ["git", "init", "-q"],
        ["dvc", "init", "-q"],
        ["git", "add", "-A"],
        ["git", "commit", "-qm", "init"],
    ):
        subprocess.run(command, cwd=tmp_path, env=env, check=True, capture_output=True)
    return tmp_path


@pytest.mark.parametrize(
    ("module", "purpose"),
    [
        ("churn.report", "so that the report shows the metrics of its data, code and params"),
        ("churn.gate", "so that the gate judges the metrics of its data, code and params"),
    ],
)
def test_a_workspace_not_reproduced_is_refused(stale_repository, module, purpose):
    """The report showed the last run's metrics beside the new params ("generate.months 6 → 7",
    every metric +0.0000) and its verdict, like the gate, passed."""
    result = cli(stale_repository, module, "--base", "HEAD")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        f"{module}: error: the workspace is not reproduced (dvc status: copy out of date): "
        f"run `dvc repro` first, {purpose}"
    )
    assert not (stale_repository / "report").exists()


def test_once_reproduced_the_report_is_written(stale_repository):
    subprocess.run(
        ["dvc", "repro", "-q"],
        cwd=stale_repository,
        env=repo_env(stale_repository),
        check=True,
        capture_output=True,
    )
    result = cli(stale_repository, "churn.report", "--base", "HEAD")
    assert result.returncode == 0, result.stderr
    assert "No metrics found" in (stale_repository / "report/report.md").read_text()
