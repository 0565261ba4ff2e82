"""Fixtures: a small-scale copy of the repository, reproduced once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import built_once, commit_all, copy_repository, copy_tree, run, set_params

SMALL_SCALE = 0.1  # 2,000 customers a month: the whole pipeline in seconds


def reproduce_small(folder: Path) -> Path:
    """A git copy at small scale with the pipeline reproduced and committed."""
    root = copy_repository(folder / "repo")
    set_params(root, **{"generate.scale": SMALL_SCALE, "train.nthread": 1})
    run(root, "dvc", "repro")
    commit_all(root, "small-scale pipeline")
    return root


@pytest.fixture(scope="session")
def small_repo(tmp_path_factory, worker_id: str) -> Path:
    """reproduce_small's repository, one for every test worker: read it, copy it, clone it;
    do not change it."""
    return built_once(tmp_path_factory, worker_id, "small", reproduce_small)[1]


@pytest.fixture
def scratch_repo(small_repo: Path, tmp_path: Path) -> Path:
    """A throw-away copy of small_repo (git repository, DVC cache, workspace) sharing nothing.
    A copy, not `git clone` and `dvc checkout` (the same files, a second of CPU per test more)."""
    return copy_tree(small_repo, tmp_path / "scratch")
