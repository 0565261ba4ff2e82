"""Quality gate: no metric may get worse than its tolerance against the base revision."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from churn.comparison import (
    IN_SAMPLE,
    MetricRow,
    direction,
    format_change,
    format_value,
    has_base,
    improvement,
    metric_rows,
    not_finite,
)
from churn.errors import ChurnError, CliParser, did_you_mean, run_cli
from churn.params import PARAMS_FILE, GateParams, load_section
from churn.revisions import check_revision, metrics_diff, require_reproduced

TITLES = {"roc_auc": "ROC AUC", "pr_auc": "PR AUC", "log_loss": "log loss"}


@dataclass(frozen=True)
class GateResult:
    failures: list[str]  # one sentence per metric worse than its tolerance
    compared: bool  # false when the base had no metrics (first pull request)

    @property
    def passed(self) -> bool:
        return not self.failures


def gate_failure(row: MetricRow | None, key: str, tolerance: float) -> str | None:
    """Why one gated metric fails, or None when it is within tolerance, new, or neutral; a new
    value that is NaN or infinite fails, whatever the base (NaN compares as never worse)."""
    if row is not None and not_finite(row.new):
        return f"{key} is {format_value(row.new)}: not a number the gate can compare"
    if row is None or row.base is None:
        return None
    if row.new is None:
        return f"{key} was removed (it had {format_value(row.base)})"
    gain = improvement(row)
    if gain is not None and -gain > tolerance + 1e-12:
        return f"{key} worse by {-gain:.4f} (tolerance {tolerance:g})"
    return None


def rows_by_key(rows: Sequence[MetricRow]) -> dict[str, MetricRow]:
    """One row per metric key across the metrics files: a metric whose file was renamed or moved
    (base in the old file, new in the new one) is one row with both sides. The gate judged
    whichever file sorted last: "removed", or "new metric" and never compared."""
    merged: dict[str, MetricRow] = {}
    for row in rows:
        known = merged.get(row.key)
        if known is None or known.base is None or known.new is None:
            merged[row.key] = row if known is None else combined(known, row)
    return merged


def combined(known: MetricRow, row: MetricRow) -> MetricRow:
    """The first file's row with the sides it lacks taken from a later file's row."""
    base = known.base if known.base is not None else row.base
    new = known.new if known.new is not None else row.new
    return MetricRow(known.file if known.new is not None else row.file, known.key, base, new)


def check_gate(rows: Sequence[MetricRow], tolerances: Mapping[str, float]) -> GateResult:
    """Apply every tolerance; a base without the gated metrics (say, it had validation counts but
    no evaluation yet) is a first report: nothing to fall behind, but a gated metric that is NaN
    or infinite fails there too."""
    by_key = rows_by_key(rows)
    gated = [by_key[key] for key in tolerances if key in by_key] or list(rows)
    failures = [
        failure
        for key, tolerance in sorted(tolerances.items())
        if (failure := gate_failure(by_key.get(key), key, tolerance)) is not None
    ]
    return GateResult(failures, compared=has_base(gated))


def tolerance_problem(key: str, known: Sequence[str], where: str) -> str | None:
    """Why a tolerance can never apply: a neutral metric, or one `where` does not have."""
    if key not in known:
        return f"gate.tolerances.{key}: no such metric in {where}{did_you_mean(key, known)}"
    if direction(key) == 0:
        kind = "an in-sample metric" if key.startswith(IN_SAMPLE) else "a count or rate"
        return f"gate.tolerances.{key}: {kind}, neither better nor worse: none applies"
    return None


def check_gate_params(
    rows: Sequence[MetricRow], params: GateParams, source: str, where: str
) -> None:
    """Refuse tolerances that could never fail (a misspelt or neutral metric), which would pass
    the gate silently, and a headline no revision reports (the verdict led with "not
    reported"); errors name source, the params file. No rows at all: nothing to check."""
    known = [row.key for row in rows]
    problems = [tolerance_problem(key, known, where) for key in sorted(params.tolerances)]
    if params.headline not in known:
        hint = did_you_mean(params.headline, known)
        problems.append(f"gate.headline: {params.headline}: no such metric in {where}{hint}")
    if known and any(problems):
        raise ChurnError(f"{source}: " + "; ".join(p for p in problems if p))


def headline(rows: Sequence[MetricRow], key: str) -> str:
    """`ROC AUC +0.0120 (0.8388 → 0.8508)`, or the new value alone when there is no base."""
    row = rows_by_key(rows).get(key)
    title = TITLES.get(key.rsplit(".", 1)[-1], key)
    if row is None or row.new is None:
        return f"{title} not reported"
    if row.change is None:  # no base, or either side NaN or infinite
        was = f" (base {format_value(row.base)})" if row.base is not None else ""
        return f"{title} {format_value(row.new)}{was}"
    return (
        f"{title} {format_change(row.change)} ({format_value(row.base)} → {format_value(row.new)})"
    )


def verdict(rows: Sequence[MetricRow], params: GateParams, base: str) -> str:
    """The one line at the top of the report."""
    result = check_gate(rows, params.tolerances)
    lead = headline(rows, params.headline)
    if not result.compared:
        lead = f"{lead}; first report: the base `{base}` has no metrics to compare against"
    if result.failures:
        return f"⚠ {'; '.join(result.failures)} — {lead}"
    if not result.compared:
        return lead
    return f"{lead}, no metric worse than its tolerance"


def compared_rows(base: str, new: str | None, params: GateParams, source: str) -> list[MetricRow]:
    """The metrics of base and new, once the gate's params (from source) are known to apply."""
    rows = metric_rows(metrics_diff(base, new))
    where = f"the metrics of `{base}` or {f'`{new}`' if new else 'the workspace'}"
    check_gate_params(rows, params, source, where)
    return rows


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = CliParser(prog="churn.gate", description=__doc__)
    parser.add_argument("--base", required=True, help="git revision to compare against")
    parser.add_argument("--new", default=None, help="git revision (default: the workspace)")
    parser.add_argument("--params", type=Path, default=PARAMS_FILE)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    params = load_section("gate", args.params)
    check_revision(args.base)
    if args.new is None:  # its metrics would be those of the last dvc repro
        require_reproduced("so that the gate judges the metrics of its data, code and params")
    rows = compared_rows(args.base, args.new, params, str(args.params))
    print(verdict(rows, params, args.base))
    if not check_gate(rows, params.tolerances).passed:
        sys.exit(1)


if __name__ == "__main__":
    run_cli(main, "churn.gate")
