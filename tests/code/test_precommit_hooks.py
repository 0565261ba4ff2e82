"""The pre-commit hooks `make hooks` installs."""

from __future__ import annotations

import re
import shlex
import subprocess

import pytest
import yaml

from tests.helpers import REPO, copy_repository, repo_env


def hook(hook_id: str) -> dict:
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text())
    return next(h for repo in config["repos"] for h in repo["hooks"] if h["id"] == hook_id)


def stage_dependencies_in_git() -> list[str]:
    """Every file in git that a stage of dvc.yaml depends on (a folder dependency: its files)."""
    stages = yaml.safe_load((REPO / "dvc.yaml").read_text())["stages"]
    deps = {dep for stage in stages.values() for dep in stage.get("deps", [])}
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    return [path for path in tracked if any(path == d or path.startswith(f"{d}/") for d in deps)]


def test_the_lock_check_runs_for_a_commit_of_any_stage_dependency():
    """A commit of a contract alone skipped `dvc status`: contracts/ was not in the hook's files,
    and a stale dvc.lock went in."""
    pattern = re.compile(hook("dvc-lock-current")["files"])
    dependencies = stage_dependencies_in_git()
    assert "contracts/churn.yaml" in dependencies
    assert [path for path in dependencies if not pattern.search(path)] == []


@pytest.mark.pipeline  # the real dvc CLI in a temporary git repository
def test_the_lock_check_says_what_is_stale_and_what_to_do(tmp_path):
    """It ran `dvc status --quiet`, which prints nothing: the commit failed with no reason."""
    root = copy_repository(tmp_path / "repo")  # no outputs: every stage is stale
    (root / ".venv").symlink_to(REPO / ".venv")
    entry = shlex.split(hook("dvc-lock-current")["entry"])
    result = subprocess.run(entry, cwd=root, env=repo_env(root), capture_output=True, text=True)
    assert result.returncode == 1
    assert "generate:" in result.stdout
    assert result.stdout.rstrip().endswith(
        "dvc.lock is not current: run dvc repro (it stages dvc.lock), then commit"
    )
