"""Fixtures: a small-scale copy of the repository, reproduced once per test session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers import commit_all, copy_repository, run, set_params

SMALL_SCALE = 0.1  # 2,000 customers a month: the whole pipeline in seconds


@pytest.fixture(scope="session")
def small_repo(tmp_path_factory) -> Path:
    """A git copy at small scale with the pipeline reproduced and committed."""
    root = copy_repository(tmp_path_factory.mktemp("small") / "repo")
    set_params(root, **{"generate.scale": SMALL_SCALE, "train.nthread": 1})
    run(root, "dvc", "repro")
    commit_all(root, "small-scale pipeline")
    return root


@pytest.fixture
def scratch_repo(small_repo: Path, tmp_path: Path) -> Path:
    """A throw-away clone of small_repo sharing nothing but a copy of its DVC cache."""
    root = tmp_path / "scratch"
    run(tmp_path, "git", "clone", "-q", str(small_repo), str(root))
    shutil.copytree(small_repo / ".dvc" / "cache", root / ".dvc" / "cache")
    run(root, "dvc", "checkout", "-q")
    return root
