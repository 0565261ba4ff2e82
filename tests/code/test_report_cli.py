"""`python -m churn.report` and `python -m churn.gate` in a small git and DVC repository: a
workspace `dvc status` finds out of date (as after editing params.yaml or `make next-month`
without `dvc repro`), and gate params that could never fail, are refused by both alike."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from churn.errors import ChurnError
from churn.revisions import metrics_diff
from tests.fork_server import run_module
from tests.helpers import REPO, copy_tree, repo_env

STAGE = """stages:
  copy:
    cmd: cp input.json metrics.json
    deps: [input.json]
    metrics:
      - metrics.json:
          cache: false
"""
# a metric for each tolerance in params.yaml's gate section
METRICS = {"roc_auc": 0.8, "pr_auc": 0.5, "log_loss": 0.34, "brier": 0.1, "f1": 0.5}


def cli(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = repo_env(root) | {"PYTHONPATH": str(REPO / "src")}
    return run_module([sys.executable, "-m", *args], cwd=root, env=env)


def stale_template(root: Path) -> Path:
    """One commit with a stage never reproduced: the workspace's outputs are not its own."""
    shutil.copy(REPO / "params.yaml", root / "params.yaml")
    metrics = {"test": METRICS | {"precision_top": 0.55}}
    (root / "input.json").write_text(json.dumps(metrics))
    (root / "dvc.yaml").write_text(STAGE)
    env = repo_env(root)
    for command in (
        ["git", "init", "-q"],
        ["dvc", "init", "-q"],
        ["git", "add", "-A"],
        ["git", "commit", "-qm", "init"],
    ):
        subprocess.run(command, cwd=root, env=env, check=True, capture_output=True)
    return root


@pytest.fixture(scope="module")
def templates(tmp_path_factory) -> dict[str, Path]:
    """The stale repository, and a copy of it reproduced: each built once for the module."""
    stale = stale_template(tmp_path_factory.mktemp("stale"))
    reproduced = reproduce(copy_tree(stale, tmp_path_factory.mktemp("reproduced") / "repo"))
    return {"stale": stale, "reproduced": reproduced}


@pytest.fixture
def stale_repository(templates: dict[str, Path], tmp_path: Path) -> Path:
    return copy_tree(templates["stale"], tmp_path / "repo")


@pytest.fixture
def reproduced_repository(templates: dict[str, Path], tmp_path: Path) -> Path:
    """stale_repository after `dvc repro` (its outputs its own, not committed)."""
    return copy_tree(templates["reproduced"], tmp_path / "repo")


def reproduce(root: Path) -> Path:
    env = repo_env(root)
    subprocess.run(["dvc", "repro", "-q"], cwd=root, env=env, check=True, capture_output=True)
    return root


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


def test_once_reproduced_the_report_is_written(reproduced_repository):
    root = reproduced_repository
    result = cli(root, "churn.report", "--base", "HEAD")
    assert result.returncode == 0, result.stderr
    report = (root / "report/report.md").read_text()
    assert "| test.roc_auc | — | 0.8000 | — | — | new metric |" in report


def test_the_report_refuses_the_gate_params_the_gate_refuses(reproduced_repository):
    """A misspelt tolerance: `make gate` stopped with exit 2 while the report above it said
    "no metric worse than its tolerance", as no metric was held to it."""
    root = reproduced_repository
    params = (root / "params.yaml").read_text()
    (root / "params.yaml").write_text(params.replace("test.roc_auc: 0.01", "test.roc_au: 0.01"))
    problem = (
        "params.yaml: gate.tolerances.test.roc_au: no such metric in the metrics of `HEAD` or the "
        "workspace (did you mean 'test.roc_auc'?)"
    )
    for module in ("churn.gate", "churn.report"):
        result = cli(root, module, "--base", "HEAD")
        assert (result.returncode, result.stderr.strip()) == (2, f"{module}: error: {problem}")
    assert not (root / "report").exists()


def test_the_venv_dvc_is_used_when_the_venv_is_not_on_path(stale_repository):
    """`.venv/bin/python -m churn.report` without the venv activated ended in a traceback
    (FileNotFoundError: 'dvc'): the dvc beside the interpreter is used."""
    env = repo_env(stale_repository) | {"PYTHONPATH": str(REPO / "src"), "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "churn.report", "--base", "HEAD"],
        cwd=stale_repository,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "dvc status: copy out of date" in result.stderr  # dvc ran


def test_no_dvc_anywhere_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ChurnError, match=r"^dvc: not installed beside this Python nor on PATH"):
        metrics_diff("HEAD")


def test_a_nan_or_infinite_metric_fails_the_gate_through_dvc(reproduced_repository):
    """`dvc metrics diff` passes NaN and Infinity through as such: a NaN ROC AUC and an infinite
    PR AUC (higher is better: "better") passed `make gate` with exit 0."""
    root = reproduced_repository
    env = repo_env(root)
    for command in (["git", "add", "-A"], ["git", "commit", "-qm", "reproduced"]):
        subprocess.run(command, cwd=root, env=env, check=True, capture_output=True)
    text = json.dumps({"test": METRICS | {"precision_top": 0.55}})
    text = text.replace('"roc_auc": 0.8', '"roc_auc": NaN').replace(
        '"pr_auc": 0.5', '"pr_auc": Infinity'
    )
    (root / "input.json").write_text(text)
    reproduce(root)
    gate = cli(root, "churn.gate", "--base", "HEAD")
    assert (gate.returncode, gate.stderr) == (1, "")
    assert gate.stdout.splitlines() == [
        "⚠ test.pr_auc is +inf: not a number the gate can compare; test.roc_auc is NaN: not a "
        "number the gate can compare — ROC AUC NaN (base 0.8000)"
    ]
    report = cli(root, "churn.report", "--base", "HEAD")
    assert report.returncode == 0, report.stderr
    assert (
        "| test.roc_auc | 0.8000 | NaN | — | — | ⚠ NaN |" in (root / "report/report.md").read_text()
    )
