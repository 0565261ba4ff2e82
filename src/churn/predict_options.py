"""The command line of churn.predict: its options, the checks of the paths they name, and the
artifacts they choose."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from churn.applied_contract import APPLIED_CONTRACT
from churn.artifacts import Artifacts, load_revision, load_workspace
from churn.csv_header import SettingNames, setting_text
from churn.data_params import CSV_DELIMITERS
from churn.errors import ChurnError, CliParser, refuse_folder
from churn.outputs import same_file
from churn.params import PARAMS_FILE
from churn.tables import TABLE_SUFFIXES, table_suffix

DEFAULT_CHUNK = 50_000
MAX_CHUNK = 2**63 - 1  # rows: the largest count Arrow's readers take
OUTPUT_HELP = f"scores file ({', '.join(TABLE_SUFFIXES)})"
CHUNK_HELP = f"rows per chunk (default: {DEFAULT_CHUNK})"
APPLIED_HELP = "the contract validate applied, used when data.contract is empty"


def revision(text: str) -> str:
    """--rev: a revision name, never empty (an empty one used to score with the workspace)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("expected a git revision or tag, got an empty name")
    return text


def parse_args(argv: Sequence[str] | None, description: str = "") -> argparse.Namespace:
    parser = CliParser(prog="churn.predict", description=description)
    parser.add_argument("--input", required=True, help="CSV or Parquet file, local or fsspec URL")
    parser.add_argument("--output", required=True, help=OUTPUT_HELP)
    parser.add_argument(
        "--rejects", help="rejected rows + reject_reason (default: OUTPUT.rejects.SUFFIX)"
    )
    parser.add_argument(
        "--rev", type=revision, help="score with the artifacts of this git revision or tag"
    )
    add_artifact_options(parser)
    parser.add_argument("--chunk-size", type=int, default=DEFAULT_CHUNK, help=CHUNK_HELP)
    parser.add_argument(
        "--missing-columns", choices=("fail", "impute"), help="override contract.missing_column"
    )
    parser.add_argument(
        "--summary", help="also write the counts as JSON here (a local path or fsspec URL)"
    )
    parser.add_argument(
        "--fallback", help="score this file instead when --input has no rows (the score stage)"
    )
    add_csv_options(parser)
    args = parser.parse_args(argv)
    if args.chunk_size < 1:
        parser.error("--chunk-size must be at least 1")
    if args.chunk_size > MAX_CHUNK:  # Arrow takes a 64-bit count: an OverflowError traceback
        parser.error(f"--chunk-size must be at most {MAX_CHUNK}")
    return args


def add_artifact_options(parser: argparse.ArgumentParser) -> None:
    """The files scored with: model, feature spec, params and the contract validate applied."""
    parser.add_argument("--model", default="models/model.json")
    parser.add_argument("--features", default="models/features.json")
    parser.add_argument("--params", type=Path, default=PARAMS_FILE)
    parser.add_argument("--applied-contract", default=APPLIED_CONTRACT, help=APPLIED_HELP)


def add_csv_options(parser: argparse.ArgumentParser) -> None:
    """--delimiter and --decimal, which override data.delimiter and data.decimal."""
    parser.add_argument(
        "--delimiter",
        choices=CSV_DELIMITERS,
        metavar="{auto,',',';',tab,'|'}",  # the choices spelt without a literal tab
        help="CSV delimiter (default: data.delimiter)",
    )
    parser.add_argument(
        "--decimal",
        choices=(".", ","),
        metavar="{'.',','}",
        help="CSV decimal (default: data.decimal)",
    )


def setting_names(args: argparse.Namespace) -> SettingNames:
    """What set the CSV delimiter and decimal mark (a flag, else params), for the messages; the
    flags set them for one run, so hints name the flags."""
    return SettingNames(
        "--delimiter" if args.delimiter else "data.delimiter",
        "--decimal" if args.decimal else "data.decimal",
        flags=True,
    )


def csv_format(args: argparse.Namespace, artifacts: Artifacts) -> dict[str, str]:
    """The CSV settings the flags give (--delimiter, --decimal); decimal commas in a
    comma-delimited file are refused, naming what set each (a flag or a params key)."""
    chosen = {key: value for key in ("delimiter", "decimal") if (value := getattr(args, key))}
    merged = {"delimiter": artifacts.data.delimiter, "decimal": artifacts.data.decimal, **chosen}
    if merged == {"delimiter": ",", "decimal": ","}:
        names = setting_names(args)
        raise ChurnError(
            f"{setting_text(names.decimal, ',')} needs another delimiter than "
            f"{setting_text(names.delimiter, ',')}: set {names.option('delimiter')} auto, ';', "
            f"tab or '|', or {setting_text(names.option('decimal'), '.')}"
        )
    return chosen


def table_names(args: argparse.Namespace) -> None:
    """Check that input and outputs are named as tables, and that the inputs are no folders;
    the rejects default next to the output: scores.csv.gz -> scores.rejects.csv.gz."""
    table_suffix(args.input)
    for source in (args.input, args.fallback):
        if source:
            refuse_folder(source)
    suffix = table_suffix(args.output)
    if args.rejects is None:
        args.rejects = f"{args.output[: -len(suffix)]}.rejects{args.output[-len(suffix) :]}"
    table_suffix(args.rejects)


def check_distinct(args: argparse.Namespace) -> None:
    """Refuse outputs (--output, --rejects, --summary) that would overwrite an input (--input,
    --fallback) or each other, however the paths are spelt (relative, symlinked, file://, s3a://)."""
    if same_file(args.output, args.rejects):
        raise ChurnError(f"{args.output}: --output and --rejects name the same file")
    inputs = [path for path in (args.input, args.fallback) if path]
    outputs = [("--output", args.output), ("--rejects", args.rejects)]
    for flag, path in outputs:
        if any(same_file(path, source) for source in inputs):
            raise ChurnError(f"{path}: {flag} names an input file; it would be overwritten")
    summary = args.summary or ""
    if summary and any(same_file(summary, source) for source in inputs):
        raise ChurnError(f"{summary}: --summary names an input file; it would be overwritten")
    for flag, path in outputs:
        if summary and same_file(summary, path):
            raise ChurnError(f"{summary}: --summary and {flag} name the same file")


def load_artifacts(args: argparse.Namespace) -> Artifacts:
    if args.rev:
        files = (args.model, args.features, args.rev, str(args.params), args.applied_contract)
        artifacts = load_revision(*files)
    else:
        files = (Path(args.model), Path(args.features), args.params)
        artifacts = load_workspace(*files, applied=Path(args.applied_contract))
    if args.missing_columns:
        policies = replace(artifacts.policies, missing_column=args.missing_columns)
        artifacts = replace(artifacts, policies=policies)
    if chosen := csv_format(args, artifacts):
        artifacts = replace(artifacts, data=replace(artifacts.data, **chosen))
    return artifacts
