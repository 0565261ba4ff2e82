"""Pull-request report: metrics, params and plots of the workspace against a base revision.

Reads the base through DVC (`dvc metrics diff`, `dvc params diff`, `dvc.api.read` of the committed
plot files); it never reruns the base pipeline. Writes report.md and its PNG images to one folder.
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from churn.comparison import MetricRow, not_finite, param_rows
from churn.errors import ChurnError, CliParser, read_json_object, run_cli
from churn.gate import compared_rows, verdict
from churn.outputs import check_destination
from churn.params import PARAMS_FILE, load_section
from churn.report_challenge import challenge_section, check_challenge
from churn.report_markdown import ReportInputs, render_report, without_images
from churn.report_plots import CurveSpec, draw_confusions, draw_curves
from churn.revision_files import read_json_at
from churn.revisions import check_revision, params_diff, require_reproduced

PLOTS = "metrics/evaluate/plots/custom"
CURVES = (
    CurveSpec("roc", "ROC curve (test)", f"{PLOTS}/roc.json", "fpr", "tpr", True),
    CurveSpec(
        "precision_recall",
        "Precision-recall (test)",
        f"{PLOTS}/precision_recall.json",
        "recall",
        "precision",
        False,
    ),
    CurveSpec(
        "calibration",
        "Calibration (test)",
        f"{PLOTS}/calibration.json",
        "prob_pred",
        "prob_true",
        True,
    ),
)
DATA_FILES = {
    "validation": "metrics/validation.json",
    "schema": "metrics/schema.json",
    "drift": "metrics/drift.json",
}


def curve_points(raw: Any, spec: CurveSpec, where: str) -> list[dict[str, float]] | None:
    """The plot file's points, None when absent; a malformed file is an error naming it."""
    if raw is None:
        return None
    fine = isinstance(raw, list) and all(
        isinstance(point, dict) and spec.x in point and spec.y in point for point in raw
    )
    if not fine:
        raise ChurnError(
            f"{spec.path} at {where}: expected a list of {{{spec.x}, {spec.y}}} points"
        )
    return raw


def confusion_panels(rows: Sequence[MetricRow]) -> dict[str, dict[str, float]]:
    """Confusion counts per revision from the metric rows, only for revisions that have them all
    as numbers (a NaN count stopped the report with a traceback while drawing)."""
    panels: dict[str, dict[str, float]] = {"base": {}, "new": {}}
    for row in rows:
        if row.key.startswith("confusion."):
            cell = row.key.split(".", 1)[1]
            for label, value in (("base", row.base), ("new", row.new)):
                if value is not None:
                    panels[label][cell] = value
    return {
        label: counts
        for label, counts in panels.items()
        if counts and not any(map(not_finite, counts.values()))
    }


def write_curves(base: str, new: str | None, out_dir: Path) -> tuple[dict[str, str], list[str]]:
    """Draw each comparison curve that either revision has; say which sides were missing."""
    images, missing = {}, []
    for spec in CURVES:
        sides = {
            "base": curve_points(read_json_at(spec.path, base), spec, base),
            "new": curve_points(read_json_at(spec.path, new), spec, new or "workspace"),
        }
        missing += [
            f"{spec.title}: `{spec.path}` missing in {side}"
            for side, p in sides.items()
            if p is None
        ]
        if sides["base"] is None and sides["new"] is None:
            continue
        draw_curves(spec, sides["base"], sides["new"], out_dir / f"{spec.name}.png")
        images[spec.title] = f"{spec.name}.png"
    return images, missing


def write_confusions(rows: Sequence[MetricRow], out_dir: Path) -> tuple[dict[str, str], list[str]]:
    panels = confusion_panels(rows)
    missing = [
        f"Confusion matrix: no `confusion` counts in {side}"
        for side in ("base", "new")
        if side not in panels
    ]
    if not panels:
        return {}, missing
    draw_confusions(panels, out_dir / "confusion.png")
    return {"Confusion matrices (test)": "confusion.png"}, missing


def read_data_sections(new: str | None) -> tuple[dict[str, Any], list[str]]:
    data = {name: read_json_at(path, new) for name, path in DATA_FILES.items()}
    missing = [
        f"Data section {name}: no `{DATA_FILES[name]}`"
        for name, value in data.items()
        if value is None
    ]
    return data, missing


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = CliParser(prog="churn.report", description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="git revision to compare against")
    parser.add_argument("--new", default=None, help="git revision (default: the workspace)")
    parser.add_argument("--out-dir", type=Path, default=Path("report"))
    parser.add_argument(
        "--params", type=Path, default=PARAMS_FILE, help="gate tolerances, drift thresholds"
    )
    parser.add_argument(
        "--challenge", type=Path, help="churn.challenge's JSON: a section on both models"
    )
    return parser.parse_args(argv)


def read_challenge(path: Path | None) -> tuple[dict | None, list[str]]:
    """churn.challenge's JSON when --challenge names a file, else what is missing."""
    if path is None:
        return None, []
    if not path.is_file():
        return None, [f"Champion and challenger: no `{path}` (run `make challenge` first)"]
    return read_json_object(path), []


def checked_challenge(args: argparse.Namespace) -> tuple[dict | None, list[str]]:
    """Refuse unknown revisions, a workspace not reproduced and a challenge file of another
    comparison before anything is written; then the challenge (or what is missing)."""
    for rev in filter(None, (args.base, args.new)):
        check_revision(rev)
    if args.new is None:  # e.g. params edited or make next-month run, not yet dvc repro
        require_reproduced("so that the report shows the metrics of its data, code and params")
    challenge, missing = read_challenge(args.challenge)
    if challenge is not None:
        check_challenge(challenge, args.challenge, args.base, args.new)
    return challenge, missing


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    gate = load_section("gate", args.params)
    drift_thresholds = dataclasses.asdict(load_section("drift", args.params))
    check_destination(str(args.out_dir), folder=True)  # before reading the revisions
    challenge, missing_challenge = checked_challenge(args)
    # a misspelt tolerance would pass here and stop `make gate`: refused alike
    rows = compared_rows(args.base, args.new, gate, str(args.params))
    args.out_dir.mkdir(parents=True, exist_ok=True)
    curves, missing_curves = write_curves(args.base, args.new, args.out_dir)
    confusions, missing_confusion = write_confusions(rows, args.out_dir)
    data, missing_data = read_data_sections(args.new)
    inputs = ReportInputs(
        base=args.base,
        new=args.new or "workspace",
        # both models on the same rows decide, when they were compared
        verdict=challenge["verdict"] if challenge else verdict(rows, gate, args.base),
        metrics=[row for row in rows if row.file != DATA_FILES["drift"]],  # its own section
        params=param_rows(params_diff(args.base, args.new)),
        images=curves | confusions,
        data=data,
        missing=missing_curves + missing_confusion + missing_data + missing_challenge,
        drift_thresholds=drift_thresholds,
        challenge=challenge_section(challenge) if challenge else [],
    )
    report = render_report(inputs)
    (args.out_dir / "report.md").write_text(report, encoding="utf-8")
    (args.out_dir / "summary.md").write_text(without_images(report), encoding="utf-8")
    print(f"churn.report: wrote {args.out_dir / 'report.md'}: {inputs.verdict}")


if __name__ == "__main__":
    run_cli(main, "churn.report")
