"""Hyper-parameter sweep: queue a grid of DVC experiments, run them, fail loudly, rank them."""

from __future__ import annotations

import argparse
import json
import re
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from churn.check_params import grid_problem
from churn.errors import ChurnError, CliParser, run_cli
from churn.params import read_params_file
from churn.typed_sections import PARAMS_FILE

DEFAULT_GRID = ("train.max_depth=3,5,7", "train.learning_rate=0.05,0.1")
# Two experiments at a time on two cores: one XGBoost thread each, so they do not fight.
PER_EXPERIMENT = ("train.nthread=1",)
RANK_METRIC = "test.roc_auc"


@dataclass(frozen=True)
class Experiment:
    name: str
    status: str
    params: dict[str, object]
    metrics: dict[str, float]


def flatten(tree: dict, prefix: str = "") -> dict[str, object]:
    """{"a": {"b": 1}} -> {"a.b": 1}."""
    flat: dict[str, object] = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            flat |= flatten(value, f"{prefix}{key}.")
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def file_values(files: dict | None) -> dict[str, object]:
    """Merge the per-file params or metrics of `dvc exp show --json` into dotted keys."""
    merged: dict[str, object] = {}
    for content in (files or {}).values():
        merged |= flatten(content.get("data") or {})
    return merged


def parse_experiments(shown: list[dict]) -> Iterator[Experiment]:
    """Experiments (not the baseline commits) in `dvc exp show --json` output."""
    for commit in shown:
        for experiment in commit.get("experiments") or []:
            state = (experiment.get("executor") or {}).get("state")
            for rev in experiment.get("revs") or []:
                data = rev.get("data") or {}
                metrics = {
                    key: value
                    for key, value in file_values(data.get("metrics")).items()
                    if isinstance(value, int | float)
                }
                # Finished experiments carry no status of their own: a metrics file means it ran.
                status = data.get("status") or (state or ("success" if metrics else "failed"))
                status = status.capitalize()
                yield Experiment(
                    name=rev.get("name") or experiment.get("name") or rev.get("rev", "?"),
                    status=status,
                    params=file_values(data.get("params")),
                    # A failed experiment shows its baseline's metrics files: they are not its own.
                    metrics=metrics if status == "Success" else {},
                )


def leaderboard(experiments: Sequence[Experiment], varied: Sequence[str]) -> str:
    """A plain-text table sorted by ROC AUC, best first; failed experiments last."""
    ranked = sorted(
        experiments,
        key=lambda e: (e.status != "Success", -float(e.metrics.get(RANK_METRIC, float("-inf")))),
    )
    header = ["rank", "experiment", "status", *varied, RANK_METRIC, "test.pr_auc"]
    rows = [
        [
            str(i),
            e.name,
            e.status,
            *(str(e.params.get(k, "")) for k in varied),
            f"{e.metrics.get(RANK_METRIC, float('nan')):.4f}",
            f"{e.metrics.get('test.pr_auc', float('nan')):.4f}",
        ]
        for i, e in enumerate(ranked, start=1)
    ]
    widths = [max(len(row[c]) for row in [header, *rows]) for c in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True))
        for row in [header, *rows]
    )


def queued_names(output: str) -> list[str]:
    """The experiments `dvc exp run --queue` says it queued (one per point of the grid, whatever
    the axis syntax: lists, range(...), choices)."""
    return re.findall(r"Queued experiment '([^']+)' for future execution", output)


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
    setters = [arg for axis in [*grid, *per_experiment(grid)] for arg in ("-S", axis)]
    queued = set(queued_names(dvc("exp", "run", "--queue", *setters)))
    if not queued:
        raise ChurnError("dvc exp run --queue queued no experiment")
    # --run-all exits 0 even when an experiment fails, so the outcome is read back below.
    subprocess.run(["dvc", "exp", "run", "--run-all", "-j", str(args.jobs)], check=False)
    swept = [e for e in current_experiments() if e.name in queued]
    print(leaderboard(swept, [axis.split("=", 1)[0] for axis in grid]))
    succeeded = sum(e.status == "Success" and RANK_METRIC in e.metrics for e in swept)
    if succeeded < len(queued):
        raise ChurnError(
            f"{len(queued) - succeeded} of {len(queued)} experiments failed; "
            "see `dvc queue status` and `dvc queue logs NAME`"
        )


if __name__ == "__main__":
    run_cli(main, "churn.sweep")
