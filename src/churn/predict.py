"""Batch scoring: stream a CSV/Parquet file of customers through the versioned model, in chunks."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from collections.abc import Sequence
from concurrent import futures
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pyarrow as pa
from tqdm import tqdm

from churn.artifacts import Artifacts, load_revision, load_workspace
from churn.batch_input import CSV_BLOCK_BYTES, decimal_points, has_rows, read_chunks
from churn.customer_keys import SeenKeys, text_of_rows
from churn.errors import ChurnError, run_cli, storage_errors
from churn.model import threads_per_call
from churn.outputs import TableWriter, check_destination, same_file
from churn.params import CSV_DELIMITERS, PARAMS_FILE
from churn.publishing import published
from churn.scoring import (
    REJECT_REASON,
    Checked,
    check_chunk,
    model_input,
    probabilities,
    row_ids,
    scores_of,
)
from churn.tables import COMPRESSION_ERRORS, compression_problem, open_table, table_suffix

DEFAULT_CHUNK = 50_000

SCORE_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("churn_probability", pa.float64()),
        ("churn_decision", pa.bool_()),
        ("model_version", pa.string()),
    ]
)


def rejects_schema(columns: Sequence[str]) -> pa.Schema:
    """The input's columns as text, then the reason; an input's own reject_reason (a rejects
    file fixed and scored again) gives way to the new one."""
    kept = [str(name) for name in columns if name != REJECT_REASON]
    return pa.schema([(name, pa.string()) for name in [*kept, REJECT_REASON]])


class Summary:
    """Counts over all chunks; rows_in == rows_scored + rows_rejected."""

    def __init__(self, version: str) -> None:
        self.counts = Counter(rows_in=0, rows_scored=0, rows_rejected=0, churn_decisions=0)
        self.reasons: Counter = Counter()
        self.unknown: Counter = Counter()
        self.coerced: Counter = Counter()
        self.ignored: list[str] = []
        self.imputed: list[str] = []
        self.version = version

    def add(self, rows_in: int, checked: Checked, scores: pd.DataFrame) -> None:
        self.counts["rows_in"] += rows_in
        self.counts["rows_scored"] += len(scores)
        self.counts["rows_rejected"] += len(checked.rejected)
        self.counts["churn_decisions"] += int(scores["churn_decision"].sum())
        self.reasons.update(checked.rejected[REJECT_REASON].astype(str).tolist())
        self.unknown.update(checked.unknown)
        for column, kinds in checked.coerced.items():
            self.coerced.update({f"{column}:{kind}": n for kind, n in kinds.items()})
        self.ignored, self.imputed = checked.ignored, checked.imputed

    def as_dict(self) -> dict:
        return {
            **self.counts,
            "rejected_by_reason": dict(sorted(self.reasons.items())),
            "ignored_columns": self.ignored,
            "imputed_columns": self.imputed,
            "unknown_categories": {k: v for k, v in sorted(self.unknown.items()) if v},
            "coerced": dict(sorted(self.coerced.items())),
            "model_version": self.version,
        }


def with_snapshot(scores: pd.DataFrame, chunk: pd.DataFrame, checked: Checked, column: str):
    """The scores with the input's snapshot column (as text) after the id, when it has one: a
    file with several snapshots has one score per customer and snapshot."""
    if not column or column not in chunk.columns:
        return scores
    snapshot = text_of_rows(chunk[column], checked.positions)
    return scores.assign(**{column: snapshot})[[*scores.columns[:1], column, *scores.columns[1:]]]


def score_schema(chunk: pd.DataFrame, column: str) -> pa.Schema:
    if column and column in chunk.columns:
        return SCORE_SCHEMA.insert(1, pa.field(column, pa.string()))
    return SCORE_SCHEMA


def score_stream(args: argparse.Namespace, artifacts: Artifacts, stack: ExitStack) -> Summary:
    """Read, check, score and write chunk by chunk, so memory stays bounded. Output files get
    their final names only when every chunk went through (see churn.publishing.published)."""
    handle = stack.enter_context(open_table(args.input))
    # decimal commas are read in the contract's number columns and the model's numeric inputs
    # outside the contract (contract.new_column: include), as ingest reads every number column
    numeric = [c.name for c in artifacts.contract.columns if c.type in ("numeric", "boolean")]
    numeric += [name for name in artifacts.spec.numeric if name not in numeric]
    total, chunks = read_chunks(handle, args.input, args.chunk_size, artifacts.data)
    stack.callback(chunks.close)  # stops the reading, before the file closes, on any error
    files = stack.enter_context(published(args.output, args.rejects))

    def writer(which: int, schema: pa.Schema) -> TableWriter:
        final = (args.output, args.rejects)[which]
        try:
            return TableWriter(files[which], schema, stack, like=final)
        except OSError as error:
            raise ChurnError(f"{final}: cannot be written ({error.strerror or error})") from None

    writers, summary, seen = {}, Summary(artifacts.version), SeenKeys()
    progress = stack.enter_context(tqdm(total=total, unit="rows", file=sys.stderr, disable=None))
    snapshot = artifacts.data.timestamp
    # The model scores chunk k, and its scores and rejects are written, on a second thread
    # (XGBoost and Arrow's writers release the GIL) while this one reads and checks chunk k+1.
    # The model runs single-threaded on one thread per core, on pieces of the chunk: XGBoost's
    # own threads wait for each other whenever this thread takes a core from one of them.
    scorer = stack.enter_context(ThreadPoolExecutor(max_workers=1))
    threads = cores()
    model_threads = stack.enter_context(ThreadPoolExecutor(max_workers=threads))
    stack.enter_context(threads_per_call(artifacts.model, 1))
    jobs: list[futures.Future] = []  # submitted, not yet awaited
    offset = 0  # rows read before this chunk

    def score_and_write(chunk: pd.DataFrame, checked: Checked, ids: pd.Series, matrix) -> None:
        scores = scores_of(probabilities(matrix, artifacts, model_threads, threads), artifacts, ids)
        writers["scores"].write(with_snapshot(scores, chunk, checked, snapshot))
        writers["rejects"].write(checked.rejected)
        summary.add(len(chunk), checked, scores)
        progress.update(len(chunk))

    for chunk in chunks:
        if not writers:
            writers = {
                "scores": writer(0, score_schema(chunk, snapshot)),
                "rejects": writer(1, rejects_schema(chunk.columns)),
            }
            # on an error here, the scoring thread ends before the writers close
            stack.callback(futures.wait, jobs)
        read = decimal_points(chunk, artifacts.data, numeric)
        checked = check_chunk(read, artifacts, args.input, seen, as_written=chunk)
        ids = row_ids(checked, artifacts.id_column, offset)
        offset += len(chunk)
        job = scorer.submit(
            score_and_write,
            chunk,
            checked,
            ids,
            model_input(checked.valid, artifacts, checked.encoded),
        )
        jobs.append(job)
        if len(jobs) > 1:  # at most one chunk waits behind the one scored: memory bounded
            jobs.pop(0).result()
    while jobs:
        jobs.pop(0).result()
    if not writers:  # empty input: still leave (empty) scores and rejects files
        writer(0, SCORE_SCHEMA)
        writer(1, rejects_schema([]))
    return summary


def cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def revision(text: str) -> str:
    """--rev: a revision name, never empty (an empty one used to score with the workspace)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("expected a git revision or tag, got an empty name")
    return text


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="churn.predict", description=__doc__)
    parser.add_argument("--input", required=True, help="CSV or Parquet file, local or fsspec URL")
    parser.add_argument("--output", required=True, help="scores file (.csv or .parquet)")
    parser.add_argument(
        "--rejects", help="rejected rows + reject_reason (default: OUTPUT.rejects.SUFFIX)"
    )
    parser.add_argument(
        "--rev", type=revision, help="score with the artifacts of this git revision or tag"
    )
    parser.add_argument("--model", default="models/model.json")
    parser.add_argument("--features", default="models/features.json")
    parser.add_argument("--params", type=Path, default=PARAMS_FILE)
    parser.add_argument("--chunk-size", type=int, default=DEFAULT_CHUNK, help="rows per chunk")
    parser.add_argument(
        "--missing-columns", choices=("fail", "impute"), help="override contract.missing_column"
    )
    parser.add_argument("--summary", type=Path, help="also write the counts as JSON here")
    parser.add_argument(
        "--fallback", help="score this file instead when --input has no rows (the score stage)"
    )
    parser.add_argument(
        "--delimiter", choices=CSV_DELIMITERS, help="CSV delimiter (default: data.delimiter)"
    )
    parser.add_argument("--decimal", choices=(".", ","), help="CSV decimal (default: data.decimal)")
    args = parser.parse_args(argv)
    if args.chunk_size < 1:
        parser.error("--chunk-size must be at least 1")
    return args


def table_names(args: argparse.Namespace) -> None:
    """Check that input and outputs are named as tables; the rejects default next to the
    output: scores.csv.gz -> scores.rejects.csv.gz."""
    table_suffix(args.input)
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
    summary = str(args.summary) if args.summary else ""
    if summary and any(same_file(summary, source) for source in inputs):
        raise ChurnError(f"{summary}: --summary names an input file; it would be overwritten")
    for flag, path in outputs:
        if summary and same_file(summary, path):
            raise ChurnError(f"{summary}: --summary and {flag} name the same file")


def load_artifacts(args: argparse.Namespace) -> Artifacts:
    if args.rev:
        artifacts = load_revision(args.model, args.features, args.rev, str(args.params))
    else:
        artifacts = load_workspace(Path(args.model), Path(args.features), args.params)
    if args.missing_columns:
        policies = replace(artifacts.policies, missing_column=args.missing_columns)
        artifacts = replace(artifacts, policies=policies)
    csv_format = {"delimiter": args.delimiter, "decimal": args.decimal}
    if any(csv_format.values()):
        chosen = {key: value for key, value in csv_format.items() if value}
        artifacts = replace(artifacts, data=replace(artifacts.data, **chosen))
    return artifacts


def write_summary(summary: dict, path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    except OSError as error:
        raise ChurnError(f"{path}: cannot be written ({error.strerror or error})") from None


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    table_names(args)
    check_distinct(args)
    if args.summary:
        check_destination(str(args.summary))
    if args.fallback and not has_rows(args.input):
        print(f"predict: {args.input} has no rows: scoring {args.fallback}", file=sys.stderr)
        args.input = args.fallback
        table_suffix(args.input)
    artifacts = load_artifacts(args)
    try:
        with ExitStack() as stack, storage_errors(args.input, args.output, args.rejects):
            summary = score_stream(args, artifacts, stack).as_dict()
    except FileNotFoundError as error:
        raise ChurnError(f"{error.filename or args.input}: no such file") from error
    except COMPRESSION_ERRORS as error:  # a .gz/.bz2/.xz input cut short or damaged
        raise ChurnError(f"{args.input}: cannot be read ({compression_problem(error)})") from error
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError, OSError) as error:
        reason = str(error).splitlines()[0]  # e.g. a Parquet column its pandas metadata mistypes
        if "straddles" in reason:
            reason = f"a row is longer than {CSV_BLOCK_BYTES >> 20} MiB"
        if "invalid UTF8" in reason:
            raise ChurnError(f"{args.input}: not UTF-8 text; save it as UTF-8") from error
        raise ChurnError(f"{args.input}: cannot be read ({reason})") from error
    if args.summary:
        write_summary(summary, args.summary)
    print(json.dumps(summary))


if __name__ == "__main__":
    run_cli(main, "churn.predict")
