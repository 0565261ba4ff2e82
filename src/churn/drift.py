"""Drift stage and check: compare current data with the training window, decide on retraining."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from churn.applied_contract import read_applied_contract
from churn.contract_spec import Contract
from churn.data_params import DataParams, Policies
from churn.drift_decision import (
    check_sizes,
    compare,
    missing_columns,
    model_rows,
    needed_columns,
    schema_columns,
)
from churn.drift_inputs import compared_frames
from churn.drift_outputs import check_destinations, write_outputs
from churn.drift_quarantine import left_out_note
from churn.drift_reasons import decide, ignored_note, imputed_note, new_column_rule
from churn.drift_window import skipped_report, window_fields
from churn.errors import ChurnError, CliParser, require_file, run_cli
from churn.features import ENGINEERED, FeatureSpec
from churn.model import feature_scores, load_model
from churn.params import PARAMS_FILE, DriftParams, load_section

# Used when present unless --model / --features name others (which then must exist).
DEFAULT_MODEL = Path("models/model.json")
DEFAULT_FEATURES = Path("models/features.json")


def column_importance(model_path: Path | None, spec: FeatureSpec | None = None) -> dict[str, float]:
    """Share of the model's importance per raw input column (one-hot and engineered summed; the
    spec, when given, says which columns each feature is built from)."""
    if model_path is None:
        return {}
    raw = feature_scores(load_model(model_path))
    known = spec.feature_sources if spec is not None else {}
    per_column: dict[str, float] = {}
    for name, value in raw.items():
        sources = known.get(name) or (
            ENGINEERED[name][0] if name in ENGINEERED else (name.split("=", 1)[0],)
        )
        for column in sources:
            per_column[column] = per_column.get(column, 0.0) + float(value) / len(sources)
    total = sum(per_column.values()) or 1.0
    return {column: value / total for column, value in per_column.items()}


def feature_columns(frame: pd.DataFrame, data: DataParams) -> pd.DataFrame:
    """The frame without the label, id and timestamp columns."""
    roles = {data.target, data.id, data.timestamp} - {""}
    return frame[[c for c in frame.columns if c not in roles]]


def imputed_columns(frames, needed: list[str], policy: str, sources) -> list[str]:
    """The model's columns a side lacks (see missing_columns), named after sources."""
    imputed = [missing_columns(f, needed, policy, w) for f, w in zip(frames, sources, strict=True)]
    return sorted(set(imputed[0]) | set(imputed[1]))


def share_drifted(table: dict, sources: tuple[str, str]) -> float:
    """The share of the model's compared features that drifted; ChurnError when none compared."""
    rows = model_rows(table)
    if not rows:
        raise ChurnError(f"{sources[0]}, {sources[1]}: no feature column in common to compare")
    return round(sum(row["drifted"] for row in rows.values()) / len(rows), 6)


def drift_report(
    reference,
    current,
    params: DriftParams,
    data: DataParams,
    model_info,
    policies: Policies,
    sources: tuple[str, str] = ("reference data", "current data"),
    validated: dict[str, str] | None = None,
) -> dict:
    """metrics/drift.json for two frames of raw or typed rows (validated: see compare)."""
    check_sizes((reference, current), params, sources)
    (importance, spec_inputs, left_out), rule = model_info, new_column_rule(policies, data)
    ref, cur = feature_columns(reference, data), feature_columns(current, data)
    needed = needed_columns(ref, spec_inputs, importance)
    imputed = imputed_columns((ref, cur), needed, policies.missing_column, sources)
    schema = schema_columns(ref, cur, spec_inputs, rule[0], left_out)
    table = compare(ref, cur, params, (importance, spec_inputs), schema, sources, validated)
    (new, ignored, arriving), (drift, reason) = schema, decide(table, schema[0], params, rule[1])
    reason += ignored_note(ignored, rule, left_out, arriving) + imputed_note(imputed)
    columns = {"new_columns": new, "ignored_columns": ignored, "imputed_columns": imputed}
    return {
        "drift": drift,
        "reason": reason,
        "share_drifted": share_drifted(table, sources),  # ChurnError: no model column compared
        **columns,
        "reference_rows": len(reference),
        "current_rows": len(current),
        "features": table,
    }


def model_info(model: Path | None, features: Path | None):
    """(importance per column, the feature spec's input columns with the type the model reads
    each as, numeric or categorical, or None without a spec; the columns featurize left out as
    constant in training)."""
    if not features:
        return column_importance(model), None, {}
    spec = FeatureSpec.load(features)
    kinds = dict.fromkeys(spec.numeric, "numeric") | dict.fromkeys(spec.categorical, "categorical")
    return column_importance(model, spec), kinds, spec.left_out


def given_or_default(given: Path | None, default: Path, option: str) -> Path | None:
    """The file an option names, which must exist; without the option, the default file when
    it exists (None otherwise: no importance weighting, no feature spec)."""
    if given is None:
        return default if default.exists() else None
    require_file(given, f"file not found ({option})")  # a folder is named so
    return given


def applied_contract(path: Path | None) -> Contract | None:
    """The contract validate applied, read from path (--contract); None without the option."""
    if path is None:
        return None
    require_file(path, "file not found (--contract)")
    return read_applied_contract(path)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = CliParser(prog="churn.drift", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    stage = commands.add_parser("stage", help="newest snapshot against the training window")
    stage.add_argument("--data", required=True, help="ingested table with all snapshots")
    check = commands.add_parser("check", help="exit 1 when a new batch warrants retraining")
    check.add_argument("--reference", required=True, help="training data (file, folder, glob)")
    check.add_argument("--current", required=True, help="the new batch (file, folder, glob)")
    check.add_argument(
        "--training-window",
        action="store_true",
        help="compare with the latest month(s) of --reference the model trained on (as the stage)",
    )
    for command, out in ((stage, Path("metrics/drift.json")), (check, None)):
        command.add_argument("--model", type=Path, help=f"default: {DEFAULT_MODEL} if present")
        command.add_argument(
            "--features", type=Path, help=f"default: {DEFAULT_FEATURES} if present"
        )
        command.add_argument(
            "--contract", type=Path, help="the contract validate applied (models/contract.yaml)"
        )
        command.add_argument("--out", type=Path, default=out, help="drift JSON to write")
        command.add_argument("--plots", type=Path, default=None, help="folder for PNG plots")
        command.add_argument("--params", type=Path, default=PARAMS_FILE)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    data, params = load_section("data", args.params), load_section("drift", args.params)
    policies = load_section("contract", args.params)
    check_destinations(args.out, args.plots)
    model = given_or_default(args.model, DEFAULT_MODEL, "--model")
    features = given_or_default(args.features, DEFAULT_FEATURES, "--features")
    info, contract = model_info(model, features), applied_contract(args.contract)
    compared = compared_frames(args, data, params, (info[1], policies, contract))
    reference, current, skip, sources, left_out, kinds = compared
    if skip:
        report = skipped_report(skip, len(reference), len(current))
    else:
        report = drift_report(reference, current, params, data, info, policies, sources, kinds)
    report |= window_fields(reference, current, data) | left_out
    if left_out:
        print(left_out_note(left_out, data.timestamp, policies.type_change), file=sys.stderr)
    write_outputs(report, (reference, current), args.out, args.plots)
    print(f"drift: {'RETRAIN' if report['drift'] else 'ok'}: {report['reason']}")
    if args.command == "check" and report["drift"]:
        sys.exit(1)


if __name__ == "__main__":
    run_cli(main, "churn.drift")
