"""Champion against challenger: the base revision's model (the champion) and the workspace's (the
challenger) score the same labelled rows, the newest test month, through batch scoring's code
path; the gate's tolerances decide whether the challenger may replace the champion.

    python -m churn.challenge --base origin/main [--test data/interim/split/test.parquet]
        [--out report/challenge.json]     # exit 0 passes, 1 worse than a tolerance, 2 bad input

`churn.gate` compares the metrics each revision's pipeline recorded: after a retraining on a
newer month those are test metrics of different months. This scores both models on one month.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from churn.artifacts import Artifacts, load_revision, load_workspace
from churn.comparison import MetricRow
from churn.data_params import check_data_columns, check_labels
from churn.errors import ChurnError, CliParser, run_cli
from churn.evaluate import classification_metrics, slice_masks
from churn.gate import check_gate, check_gate_params, headline
from churn.outputs import check_destination
from churn.params import PARAMS_FILE, GateParams, load_section
from churn.report_challenge import as_strict_json
from churn.revision_files import exists_at_rev
from churn.revisions import check_revision, require_reproduced
from churn.scoring import check_chunk, model_input, probabilities
from churn.tables import read_parquet, writing

SAME_FOR_BOTH = ("rows", "churn_rate")  # properties of the rows, not of a model


@dataclass(frozen=True)
class Cut:
    """How each model decides: its threshold (keyed champion and challenger), and the share of
    riskiest rows precision_top and lift_top look at (evaluate.top_fraction)."""

    thresholds: Mapping[str, float]
    top_fraction: float


@dataclass(frozen=True)
class Challenge:
    rows: list[MetricRow]  # base = the champion, new = the challenger; keys test.<metric>
    compared: int  # rows both models scored
    rejected: dict[str, int]  # rows each model's contract rejected


def scores_by_row(frame: pd.DataFrame, artifacts: Artifacts, where: str) -> np.ndarray:
    """Each row's churn probability as batch scoring computes it (contract, features, model);
    NaN where the model's contract rejects the row."""
    checked = check_chunk(frame, artifacts, where)
    scores = np.full(len(frame), np.nan)
    matrix = model_input(checked.valid, artifacts, checked.encoded)
    scores[checked.positions] = probabilities(matrix, artifacts)
    return scores


def side_rows(
    prefix: str, labels: np.ndarray, scores: Mapping[str, np.ndarray], cut: Cut
) -> list[MetricRow]:
    """Both models' metrics on the labelled rows given, as rows keyed `prefix.<metric>`."""
    metrics = {
        side: classification_metrics(labels, scores[side], cut.thresholds[side], cut.top_fraction)
        for side in ("champion", "challenger")
    }
    names = [name for name in metrics["challenger"] if name not in SAME_FOR_BOTH]
    return [
        MetricRow(
            "challenge", f"{prefix}.{name}", metrics["champion"][name], metrics["challenger"][name]
        )
        for name in names
    ]


def challenge(
    labels: np.ndarray,
    scores: Mapping[str, np.ndarray],
    cut: Cut,
    slices: Mapping[str, np.ndarray] | None = None,
) -> Challenge:
    """Both models' metrics on the rows both scored (scores keyed champion and challenger), each
    at its own decision threshold: all of them (test.*), and each slice's (slices.NAME.*, masks
    over the rows as evaluate's slices), as the gate's tolerances may name either."""
    both = ~np.isnan(scores["champion"]) & ~np.isnan(scores["challenger"])
    groups = {"test": both, **{f"slices.{n}": both & mask for n, mask in (slices or {}).items()}}
    rows = [
        row
        for prefix, kept in groups.items()
        for row in side_rows(prefix, labels[kept], {k: v[kept] for k, v in scores.items()}, cut)
    ]
    rejected = {side: int(np.isnan(values).sum()) for side, values in scores.items()}
    return Challenge(rows, int(both.sum()), rejected)


def verdict(
    result: Challenge | None, params: GateParams, base: str, where: str
) -> tuple[str, bool]:
    """The one line, and whether the challenger passes; no champion at base passes."""
    if result is None:
        return f"no champion: `{base}` has no model, so the challenger has nothing to beat", True
    outcome = check_gate(result.rows, params.tolerances)
    lead = headline(result.rows, params.headline)
    rows = f"on the same {result.compared:,} rows of {where}"
    if outcome.failures:
        worse = "; ".join(outcome.failures)
        return f"⚠ challenger worse than champion `{base}` {rows}: {worse} — {lead}", False
    return (
        f"challenger vs champion `{base}` {rows}: {lead}, no metric worse than its tolerance",
        True,
    )


def as_json(result: Challenge | None, base: str, versions: Mapping[str, str], line: str) -> dict:
    """What report/challenge.json holds (churn.report --challenge shows it)."""
    written: dict = {"base": base, "versions": dict(versions), "verdict": line}
    if result is not None:
        written |= {"rows": result.compared, "rejected": result.rejected}
        written["metrics"] = [
            {"key": row.key, "champion": row.base, "challenger": row.new} for row in result.rows
        ]
    return written


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = CliParser(prog="churn.challenge", description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True, help="git revision whose model is the champion")
    parser.add_argument("--test", default="data/interim/split/test.parquet", help="labelled rows")
    parser.add_argument("--model", default="models/model.json")
    parser.add_argument("--features", default="models/features.json")
    parser.add_argument("--params", type=Path, default=PARAMS_FILE)
    parser.add_argument("--out", type=Path, default=Path("report/challenge.json"))
    return parser.parse_args(argv)


def labelled_rows(path: str, artifacts: Artifacts) -> tuple[pd.DataFrame, np.ndarray]:
    """The test rows and their 0/1 labels (data.target), refused when not labels."""
    frame = read_parquet(path)
    if frame.empty:
        raise ChurnError(f"{path}: no rows to score")
    check_data_columns(frame.columns, artifacts.data, path, roles=("target",))
    check_labels(frame[artifacts.data.target], path)
    return frame, frame[artifacts.data.target].to_numpy()


def run(args: argparse.Namespace) -> tuple[Challenge | None, dict[str, str]]:
    """Score the test rows with both models; None when the base has no model."""
    challenger = load_workspace(Path(args.model), Path(args.features), args.params)
    # e.g. after make next-month, before dvc repro
    require_reproduced("so that the challenger is the model of its data, code and params")
    versions = {"challenger": challenger.version}
    if not exists_at_rev(args.model, args.base):
        return None, versions
    champion = load_revision(args.model, args.features, args.base, str(args.params))
    versions["champion"] = champion.version
    frame, labels = labelled_rows(args.test, challenger)
    models = {"champion": champion, "challenger": challenger}
    scores = {
        side: scores_by_row(frame, model, f"{args.test} (scored with the {side}'s model)")
        for side, model in models.items()
    }
    if np.isnan(scores["champion"] + scores["challenger"]).all():
        raise ChurnError(f"{args.test}: no row that both models' contracts accept")
    evaluate = load_section("evaluate", args.params)
    cut = Cut({side: model.threshold for side, model in models.items()}, evaluate.top_fraction)
    slices = slice_masks(frame, evaluate.slices, challenger.data.target, "churn.challenge")
    return challenge(labels, scores, cut, slices), versions


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    params = load_section("gate", args.params)
    check_revision(args.base)
    check_destination(str(args.out))  # before the scoring: no folder made for a failed run
    result, versions = run(args)
    if result is not None:
        computed = f"what the challenge computes on {args.test} (test.*, slices.*)"
        check_gate_params(result.rows, params, str(args.params), computed)
    line, passed = verdict(result, params, args.base, args.test)
    written = as_json(result, args.base, versions, line)
    with writing(args.out):
        args.out.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(as_strict_json(written), indent=2, allow_nan=False)
        args.out.write_text(text + "\n", encoding="utf-8")
    print(line)
    if not passed:
        sys.exit(1)


if __name__ == "__main__":
    run_cli(main, "churn.challenge")
