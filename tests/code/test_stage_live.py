"""The stages' dvclive logger: inside a DVC pipeline it logs without opening the repository."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

LOG_ONE_METRIC = """
import sys
from churn.stage_live import open_live
with open_live(sys.argv[1]) as live:
    live.log_metric("auc", 0.8)
assert live.dvc_file == "dvc.yaml"  # set up as dvclive's own set-up does
print(live._dvc_repo is not None, "dvc.repo" in sys.modules)
"""


def run_in_repo(folder: Path, **env: str) -> str:
    """Log one metric from a fresh process in a git + DVC repository; what it printed."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DVC_", "STUDIO_"))}
    command = [sys.executable, "-c", LOG_ONE_METRIC, "live"]
    done = subprocess.run(
        command, cwd=folder, env={**clean, **env}, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("repo")
    subprocess.run(["git", "init", "-q"], cwd=folder, check=True)
    subprocess.run([sys.executable, "-m", "dvc", "init", "-q"], cwd=folder, check=True)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "commit", "-qm", "init"], cwd=folder, check=True)  # dvclive needs one
    return folder


def test_inside_dvc_repro_the_repository_is_not_opened_and_metrics_are_written(repo: Path):
    assert run_in_repo(repo, DVC_ROOT=str(repo)) == "False False"
    assert json.loads((repo / "live/metrics.json").read_text()) == {"auc": 0.8}


@pytest.mark.parametrize(
    ("env", "why"),
    [({}, "run by hand"), ({"DVC_STUDIO_TOKEN": "t", "DVC_STUDIO_OFFLINE": "true"}, "Studio")],
)
def test_outside_a_pipeline_or_with_a_studio_token_dvclive_opens_it_as_usual(repo, env, why):
    env = {**env, "DVC_ROOT": str(repo)} if why == "Studio" else env
    assert run_in_repo(repo, **env) == "True True"
