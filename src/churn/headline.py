"""The evaluated model's headline metrics, overall and per slice, as one short table.

`make repro` ends with it: `python -m churn.headline [--metrics metrics/evaluate/metrics.json]`.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from pathlib import Path

from churn.errors import ChurnError, CliParser, read_json_object, run_cli

METRICS_FILE = Path("metrics/evaluate/metrics.json")
COLUMNS = ("rows", "churn_rate", "roc_auc", "pr_auc", "log_loss", "brier", "f1", "lift_top")


def segments(metrics: Mapping) -> dict[str, Mapping]:
    """The test split, then each named slice, as evaluate wrote them (anything else is skipped);
    a slice named "test" is shown as slices.test, so it cannot take the test split's row."""
    slices = metrics.get("slices")
    named = {"test": metrics.get("test")}
    for name, values in (slices if isinstance(slices, Mapping) else {}).items():
        named[f"slices.{name}" if name == "test" else str(name)] = values
    return {name: values for name, values in named.items() if isinstance(values, Mapping)}


def cell(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return f"{value:.4f}" if isinstance(value, float) else str(value)


def headline_table(metrics: Mapping, where: str = "metrics") -> str:
    """Rows: test and the slices; columns: the headline metrics present in the file."""
    rows = segments(metrics)
    columns = [c for c in COLUMNS if any(c in values for values in rows.values())]
    if not columns:
        raise ChurnError(f"{where}: no test metrics (run `dvc repro`)")
    table = [["segment", *columns]]
    table += [[name, *(cell(values.get(c, "-")) for c in columns)] for name, values in rows.items()]
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in table]
    return "\n".join(line.rstrip() for line in lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = CliParser(prog="churn.headline", description=__doc__.splitlines()[0])
    parser.add_argument("--metrics", type=Path, default=METRICS_FILE)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    metrics = read_json_object(args.metrics, "metrics not found (run `dvc repro`)")
    table = headline_table(metrics, str(args.metrics))
    print(f"{args.metrics}:")
    print(table)


if __name__ == "__main__":
    run_cli(main, "churn.headline")
