"""Hyper-parameter sweep: queue a grid of DVC experiments, run them, fail loudly, rank them."""

from __future__ import annotations

import argparse
import json
import re
import subprocess
from collections.abc import Sequence

from churn.check_params import grid_problem
from churn.errors import ChurnError, CliParser, run_cli
from churn.params import read_params_file
from churn.sweep_inputs import baseline_files, not_utf8_at, untracked_inputs
from churn.sweep_results import (
    Experiment,
    leaderboard,
    outcome_problem,
    parse_experiments,
)
from churn.typed_sections import PARAMS_FILE

DEFAULT_GRID = ("train.max_depth=3,5,7", "train.learning_rate=0.05,0.1")
# Two experiments at a time on two cores: one XGBoost thread each, so they do not fight.
PER_EXPERIMENT = ("train.nthread=1",)


def queued_names(output: str) -> list[str]:
    """The experiments `dvc exp run --queue` says it queued (one per point of the grid, whatever
    the axis syntax: lists, range(...), choices)."""
    return re.findall(r"Queued experiment '([^']+)' for future execution", output)


def pending_names(status_output: str) -> list[str]:
    """The experiments `dvc queue status` lists as queued or running: `dvc exp run --run-all`
    runs every queued one, whoever queued it."""
    rows = [line.split() for line in status_output.splitlines()[1:]]
    return [row[1] for row in rows if len(row) > 3 and row[-1] in ("Queued", "Running")]


def check_keys_once(grid: Sequence[str]) -> None:
    """Refuse a key set by two axes: DVC applies the last -S of a key, dropping the others'
    values without a word."""
    keys = [axis.partition("=")[0].strip() for axis in grid]
    if repeated := next((key for key in keys if keys.count(key) > 1), None):
        raise ChurnError(
            f"--set {repeated} given {keys.count(repeated)} times: dvc exp run -S applies the "
            f"last only; put every value in one axis ({repeated}=V1,V2,...)"
        )


def check_values_once(grid: Sequence[str]) -> None:
    """Refuse a value listed twice in one axis (train.max_depth=3,3): DVC queues the same
    experiment twice, and the leaderboard ranks one run against its copy."""
    for axis in grid:
        key, _, listed = axis.partition("=")
        if "(" in listed:  # range(...), choice(...): DVC's own syntax, expanded by DVC
            continue
        values = [value.strip() for value in listed.split(",")]
        if repeated := next((value for value in values if values.count(value) > 1), None):
            raise ChurnError(
                f"--set {key.strip()}: value {repeated} listed {values.count(repeated)} times; "
                "each value queues one experiment, so list it once"
            )


def check_inputs_tracked(params: dict) -> None:
    """Refuse to queue experiments that would miss an untracked module or contract and fail."""
    if untracked := untracked_inputs(PARAMS_FILE, params):
        more = f" and {len(untracked) - 5} more" if len(untracked) > 5 else ""
        raise ChurnError(
            f"{', '.join(untracked[:5])}{more}: not tracked by git, so queued experiments would "
            "not see it (DVC runs them in a copy of the last commit plus changes to tracked "
            "files); git add it first"
        )


def check_queue_empty() -> None:
    """Refuse to sweep over experiments queued before: --run-all would run them too, unranked."""
    if pending := pending_names(dvc("queue", "status")):
        raise ChurnError(
            f"{len(pending)} experiment(s) already queued or running ({', '.join(pending)}): "
            "this sweep's `dvc exp run --run-all` would run them too; run them first "
            "(`dvc exp run --run-all`) or remove them (`dvc queue remove --queued`)"
        )


def dvc(*args: str) -> str:
    """Run a dvc command, streaming nothing; fail with its error line."""
    result = subprocess.run(["dvc", *args], capture_output=True, text=True)
    if result.returncode != 0:
        raise ChurnError(
            f"dvc {' '.join(args[:2])} failed: {error_line(result.stderr or result.stdout)}"
        )
    return result.stdout


def error_line(output: str) -> str:
    """The line of DVC's output that says what went wrong: its first "ERROR:" line (the lines
    after it are details, such as "object_type=dict"), else the last line."""
    lines = [line.strip() for line in output.strip().splitlines() if line.strip()] or ["no output"]
    errors = [line.removeprefix("ERROR:").strip() for line in lines if line.startswith("ERROR:")]
    return errors[0] if errors else lines[-1]


def positive_jobs(text: str) -> int:
    """--jobs: 1 or more (DVC waits forever for workers with -j 0)."""
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected 1 or more experiments at once, got {text!r}")
    return int(text)


def current_experiments() -> list[Experiment]:
    return list(parse_experiments(json.loads(dvc("exp", "show", "--json", "--no-fetch"))))


def per_experiment(grid: Sequence[str]) -> list[str]:
    """The PER_EXPERIMENT settings whose key no axis of the grid sets: DVC applies the last -S
    of a key, so one after the user's `train.nthread=4` would undo it."""
    keys = {axis.partition("=")[0].strip() for axis in grid}
    return [setting for setting in PER_EXPERIMENT if setting.partition("=")[0] not in keys]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = CliParser(prog="churn.sweep", description=__doc__)
    parser.add_argument(
        "--set",
        action="append",
        dest="grid",
        metavar="KEY=V1,V2",
        help=f"grid axis (repeatable); default: {' '.join(DEFAULT_GRID)}",
    )
    parser.add_argument("--jobs", type=positive_jobs, default=2, help="experiments run at once")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    grid = args.grid or list(DEFAULT_GRID)
    params = read_params_file(PARAMS_FILE)
    for axis in grid:  # before anything is queued: DVC would queue and run them all
        if problem := grid_problem(params, axis, PARAMS_FILE):
            raise ChurnError(f"--set {problem}")
    check_keys_once(grid)
    check_values_once(grid)
    check_inputs_tracked(params)
    if problem := not_utf8_at(baseline_files(PARAMS_FILE)):  # `dvc exp show` would fail last
        raise ChurnError(problem)
    check_queue_empty()
    setters = [arg for axis in [*grid, *per_experiment(grid)] for arg in ("-S", axis)]
    queued = queued_names(dvc("exp", "run", "--queue", *setters))
    if not queued:
        raise ChurnError("dvc exp run --queue queued no experiment")
    # --run-all exits 0 even when an experiment fails, so the outcome is read back below.
    subprocess.run(["dvc", "exp", "run", "--run-all", "-j", str(args.jobs)], check=False)
    swept = [e for e in current_experiments() if e.name in queued]
    print(leaderboard(swept, [axis.split("=", 1)[0] for axis in grid]))
    if problem := outcome_problem(swept, queued):
        raise ChurnError(problem)


if __name__ == "__main__":
    run_cli(main, "churn.sweep")
