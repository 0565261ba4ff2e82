"""`make sweep`'s module against the real DVC queue: a grid, a leaderboard, loud failures."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.helpers import run

pytestmark = [pytest.mark.pipeline, pytest.mark.slow]


def test_sweep_runs_the_grid_and_ranks_it(scratch_repo: Path):
    """range(2,4) is DVC's own axis syntax for 2 and 3: the sweep counts what DVC queued."""
    result = run(scratch_repo, "python", "-m", "churn.sweep", "--set", "train.max_depth=range(2,4)")
    rows = [line for line in result.stdout.splitlines() if line.split()[:1] in (["1"], ["2"])]
    assert len(rows) == 2 and all("Success" in row for row in rows)
    aucs = [float(row.split()[4]) for row in rows]
    assert aucs == sorted(aucs, reverse=True) and aucs[0] > 0.7


def test_a_failed_experiment_fails_the_sweep(scratch_repo: Path):
    """A value params accept that fails the run (a label column the data lacks): DVC's own exit
    code would say nothing."""
    result = run(
        scratch_repo, "python", "-m", "churn.sweep", "--set", "data.target=churn_flag", check=False
    )
    assert result.returncode == 2
    assert "1 of 1 experiments failed" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_value_params_refuse_is_named_before_anything_is_queued(scratch_repo: Path):
    result = run(
        scratch_repo, "python", "-m", "churn.sweep", "--set", "train.model=forest", check=False
    )
    assert result.returncode == 2
    assert result.stderr == (
        "churn.sweep: error: --set train.model=forest: "
        "key 'train.model' should be xgboost or logistic_regression, got 'forest'\n"
    )
    assert "No experiment tasks in the queue" in run(scratch_repo, "dvc", "queue", "status").stdout


def test_an_experiment_queued_before_stops_the_sweep_before_it_queues(scratch_repo: Path):
    """`dvc exp run --run-all` runs every queued experiment: one queued by hand ran with the
    grid, left out of the leaderboard (read from the real `dvc queue status`)."""
    queued = run(scratch_repo, "dvc", "exp", "run", "--queue", "-S", "train.max_depth=6").stdout
    [name] = re.findall(r"Queued experiment '([^']+)'", queued)
    result = run(
        scratch_repo, "python", "-m", "churn.sweep", "--set", "train.max_depth=2,3", check=False
    )
    assert result.returncode == 2
    assert result.stderr.startswith(
        f"churn.sweep: error: 1 experiment(s) already queued or running ({name}): "
    )
    status = run(scratch_repo, "dvc", "queue", "status").stdout
    assert [line.split()[1] for line in status.splitlines() if "Queued" in line] == [name]
