"""Validate stage: apply the data contract; valid rows go on, failing rows go to quarantine."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from churn.applied_contract import write_applied_contract
from churn.column_checks import coerce_in, label_text, unknown_labels
from churn.contract_choice import choose_contract, contract_setting, outside_contracts_warning
from churn.contract_columns import new_column_kinds
from churn.data_params import DataParams, check_data_columns
from churn.errors import CliParser, listing, run_cli
from churn.label_note import invalid_labels_note, reasons_note
from churn.outputs import check_destination
from churn.params import PARAMS_FILE, load_section
from churn.quarantined_share import check_quarantined_share
from churn.raw_text import as_text
from churn.repeated_snapshots import check_repeated_snapshots
from churn.source_rows import named_sources, read_sources, with_sources
from churn.tables import read_parquet, write_parquet, writing
from churn.type_changes import snapshot_months
from churn.validation import ValidationResult, apply_contract
from churn.vanished_columns import check_vanished

# Without data.timestamp an id is one row: several rows per customer are snapshots
SNAPSHOTS_ADVICE = "several rows per customer, such as monthly snapshots? set data.timestamp"
OUTPUTS = ("valid_out", "unlabelled_out", "quarantine_out", "metrics", "schema", "contract_out")


def write_json(payload: dict, path: Path) -> None:
    with writing(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def brief(value: object, shown: int = 5) -> str:
    """A list or a mapping of lists for a log line: at most `shown` items of each list."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {brief(v, shown)}" for k, v in value.items()) + "}"
    if isinstance(value, list) and len(value) > shown:
        return f"[{', '.join(map(repr, value[:shown]))}, ... ({len(value)} in all)]"
    return str(value)


def summary(result: ValidationResult) -> str:
    """One line for the log: rows and schema changes (long lists cut; the JSON has them all)."""
    counts, schema = result.counts, result.schema
    changes = ", ".join(f"{k}: {brief(v)}" for k, v in schema.items() if v) or "no schema changes"
    return (
        f"validate: {counts['rows_in']} rows in, {counts['rows_valid']} valid, "
        f"{counts['rows_unlabelled']} unlabelled (newest snapshot, to score), "
        f"{counts['rows_quarantined']} quarantined{reasons_note(counts['quarantined_by_reason'])}; "
        f"{changes}{coerced_note(counts['coerced'])}"
    )


def coerced_note(coerced: dict[str, dict[str, int]], shown: int = 5) -> str:
    """The columns whose values were coerced, with the counts, for the log line ("" for none)."""
    parts = [
        f"{name} ({', '.join(f'{kind} {count}' for kind, count in kinds.items())})"
        for name, kinds in coerced.items()
    ]
    return f"; values coerced in {listing(parts, shown)}" if parts else ""


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = CliParser(prog="churn.validate", description=__doc__)
    parser.add_argument("--input", required=True, type=Path, help="ingested Parquet table")
    parser.add_argument(
        "--contract", help='contract YAML (default: data.contract); "" infers one from the data'
    )
    parser.add_argument("--valid-out", required=True, type=Path)
    parser.add_argument(
        "--unlabelled-out", required=True, type=Path, help="newest snapshot without labels"
    )
    parser.add_argument("--quarantine-out", required=True, type=Path)
    parser.add_argument("--metrics", required=True, type=Path, help="counts JSON")
    parser.add_argument("--schema", required=True, type=Path, help="schema diff JSON")
    parser.add_argument("--contract-out", required=True, type=Path, help="contract applied")
    parser.add_argument("--sources", type=Path, help="ingest's source files (--sources-out)")
    parser.add_argument("--params", type=Path, default=PARAMS_FILE)
    return parser.parse_args(argv)


def unlabelled_newest(frame: pd.DataFrame, data: DataParams, where: str) -> np.ndarray:
    """Rows of the newest snapshot (latest calendar month) when none has a label yet (the ones to
    score); all False otherwise or without snapshots."""
    if not data.timestamp or data.target not in frame.columns or frame.empty:
        return np.zeros(len(frame), dtype=bool)
    months = snapshot_months(coerce_in(frame[data.timestamp], "datetime", where).values)
    newest = months.eq(months.max()).to_numpy(dtype=bool)
    unknown = unknown_labels(label_text(as_text(frame[data.target]))).to_numpy()
    return newest if unknown[newest].all() and not unknown.all() else np.zeros(len(frame), bool)


def merged_counts(labelled: dict, unlabelled: dict) -> dict:
    """Counts of both parts: rows_in == rows_valid + rows_unlabelled + rows_quarantined."""
    reasons = Counter(labelled["quarantined_by_reason"]) + Counter(
        unlabelled["quarantined_by_reason"]
    )
    coerced = {name: Counter(kinds) for name, kinds in labelled["coerced"].items()}
    for name, kinds in unlabelled["coerced"].items():
        coerced[name] = coerced.get(name, Counter()) + Counter(kinds)
    return {
        "rows_in": labelled["rows_in"] + unlabelled["rows_in"],
        "rows_valid": labelled["rows_valid"],
        "rows_unlabelled": unlabelled["rows_valid"],
        "rows_quarantined": labelled["rows_quarantined"] + unlabelled["rows_quarantined"],
        "quarantined_by_reason": dict(sorted(reasons.items())),
        "coerced": {name: dict(sorted(kinds.items())) for name, kinds in sorted(coerced.items())},
    }


def validate(frame, contract, policies, data, where) -> tuple[ValidationResult, ValidationResult]:
    """Labelled rows through the contract; an unlabelled newest snapshot through the contract's
    scoring checks (the label may be missing; new columns of the types the labelled rows gave
    them), returned apart: its valid rows are to score."""
    vanished = check_vanished(frame, contract, policies, data, where)
    unknown = unlabelled_newest(frame, data, where)
    labelled = apply_contract(frame[~unknown], contract, policies, data, where)
    newest = frame[unknown].drop(columns=data.target)
    kinds = new_column_kinds(labelled.valid, contract, data.id)  # held to the labelled rows' types
    scored = apply_contract(newest, contract, policies, data, where, True, kinds=kinds)
    result = ValidationResult(
        labelled.valid,
        pd.concat([labelled.rejected, scored.rejected], ignore_index=True),
        merged_schema(labelled.schema, scored.schema, schema_order(contract, frame), vanished),
        merged_counts(labelled.counts, scored.counts),
        np.concatenate([labelled.rejected_rows, scored.rejected_rows]),
    )
    return result, scored


def schema_order(contract, frame: pd.DataFrame) -> list[str]:
    """The contract's columns, then those outside it (a new column held to its type, retyped
    under contract.type_change, was left out of schema.json's retyped)."""
    known = contract.names()
    listed = set(known)
    return [*known, *(str(name) for name in frame.columns if name not in listed)]


def merged_schema(labelled: dict, unlabelled: dict, order: list[str], vanished: list[str]) -> dict:
    """The labelled rows' schema diff with every retyped column and new category of either part,
    in contract order; missing: also the columns vanished from a snapshot (impute)."""
    retyped = {*labelled["retyped"], *unlabelled["retyped"]}
    parts = (labelled["new_categories"], unlabelled["new_categories"])
    categories = {
        name: list(dict.fromkeys([*parts[0].get(name, []), *parts[1].get(name, [])]))
        for name in order
        if name in parts[0] or name in parts[1]
    }
    missing = list(dict.fromkeys([*labelled["missing"], *vanished]))
    retyped = [name for name in order if name in retyped]
    return {**labelled, "missing": missing, "retyped": retyped, "new_categories": categories}


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    data = load_section("data", args.params)
    policies = load_section("contract", args.params)
    for output in OUTPUTS:  # before the work: refuse a folder, or a path under a file
        check_destination(str(getattr(args, output)))
    frame = read_parquet(args.input)
    sources = read_sources(args.sources, len(frame)) if args.sources else None
    check_data_columns(frame.columns, data, str(args.input))
    path, setting = contract_setting(args.contract, data, args.params)
    with named_sources(sources, str(args.input)):  # a row's file, not only the ingested table
        contract = choose_contract(path, setting, frame, data, args.params, str(args.input))
        if warning := outside_contracts_warning(path, args.params.parent):  # once proved usable
            print(warning, file=sys.stderr)
        result, newest = validate(frame, contract, policies, data, str(args.input))
    rejected = with_sources(result.rejected, result.rejected_rows, sources)
    write_parquet(result.valid, args.valid_out)
    write_parquet(newest.valid, args.unlabelled_out)
    write_parquet(rejected, args.quarantine_out)
    write_json(result.counts, args.metrics)
    write_json(result.schema, args.schema)
    given = data.contract if args.contract is None else path  # as written: no absolute path
    write_applied_contract(contract, given or f"inferred from {args.input}", args.contract_out)
    print(summary(result))
    if note := invalid_labels_note(frame, rejected, data):
        print(note, file=sys.stderr)
    check_repeated_snapshots(frame, rejected, data, str(args.input), args.quarantine_out)
    advice = {} if data.timestamp else {"duplicate_id:": SNAPSHOTS_ADVICE}
    check_quarantined_share((result, newest), policies.max_quarantined, args, advice, sources)


if __name__ == "__main__":
    run_cli(main, "churn.validate")
