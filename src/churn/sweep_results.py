"""A sweep's outcome: its experiments read from `dvc exp show --json`, ranked and checked."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

RANK_METRIC = "test.roc_auc"
SUCCESS = "Success"
# A run that succeeded but whose metrics lack the ranking metric: it cannot be ranked.
NO_METRIC = "Unranked"


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
                if status == SUCCESS and RANK_METRIC not in metrics:
                    status = NO_METRIC
                yield Experiment(
                    name=rev.get("name") or experiment.get("name") or rev.get("rev", "?"),
                    status=status,
                    params=file_values(data.get("params")),
                    # A failed experiment shows its baseline's metrics files: they are not its own.
                    metrics=metrics if status == SUCCESS else {},
                )


def leaderboard(experiments: Sequence[Experiment], varied: Sequence[str]) -> str:
    """A plain-text table sorted by ROC AUC, best first; unranked and failed experiments last."""
    order = {SUCCESS: 0, NO_METRIC: 1}
    ranked = sorted(
        experiments,
        key=lambda e: (order.get(e.status, 2), -float(e.metrics.get(RANK_METRIC, float("-inf")))),
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


def outcome_problem(swept: Sequence[Experiment], queued: Sequence[str]) -> str | None:
    """What went wrong with the queued experiments, naming them; None when all ranked."""
    status = {e.name: e.status for e in swept}
    failed = [name for name in queued if status.get(name, "Failed") not in (SUCCESS, NO_METRIC)]
    unranked = [name for name in queued if status.get(name) == NO_METRIC]
    problems = []
    if failed:
        problems.append(
            f"{len(failed)} of {len(queued)} experiments failed ({', '.join(failed)}); "
            "see `dvc queue status` and `dvc queue logs NAME`"
        )
    if unranked:
        problems.append(
            f"{len(unranked)} of {len(queued)} experiments succeeded without {RANK_METRIC} "
            f"in their metrics ({', '.join(unranked)}): they cannot be ranked"
        )
    return "; ".join(problems) or None
