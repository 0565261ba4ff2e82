"""Batch scoring: stream a CSV/Parquet file of customers through the versioned model, in chunks."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from concurrent import futures
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import replace

import pandas as pd
import pyarrow as pa
from tqdm import tqdm

from churn.artifacts import Artifacts
from churn.batch_input import CSV_BLOCK_BYTES, decimal_points, has_rows, read_chunks
from churn.batch_results import (
    SCORE_SCHEMA,
    Summary,
    check_around,
    rejects_schema,
    score_schema,
    with_input_rows,
    with_snapshot,
)
from churn.customer_keys import SeenKeys
from churn.errors import ChurnError, run_cli, storage_errors
from churn.file_systems import missing
from churn.model import threads_per_call
from churn.outputs import TableWriter, check_destination, write_summary
from churn.predict_options import (
    check_distinct,
    load_artifacts,
    parse_args,
    setting_names,
    table_names,
)
from churn.publishing import published
from churn.read_progress import advance
from churn.refused_share import check_refused_share
from churn.scoring import Checked, check_chunk, model_input, probabilities, row_ids, scores_of
from churn.tables import (
    COMPRESSION_ERRORS,
    compression_problem,
    is_csv,
    open_table,
    table_suffix,
)


def score_stream(args: argparse.Namespace, artifacts: Artifacts, stack: ExitStack) -> Summary:
    """Read, check, score and write chunk by chunk, so memory stays bounded. Output files get
    their final names only when every chunk went through (see churn.publishing.published)."""
    handle = stack.enter_context(open_table(args.input))
    numeric, names = numeric_inputs(artifacts), setting_names(args)
    chunks = read_chunks(handle, args.input, args.chunk_size, artifacts.data, names)
    stack.callback(chunks.frames.close)  # stops the reading, before the file closes, on any error
    files = stack.enter_context(published(args.output, args.rejects))
    progress = tqdm(total=chunks.total, unit="rows", file=sys.stderr, disable=None)
    scoring = ChunkScoring(args, artifacts, stack, files, stack.enter_context(progress))
    seen, offset, malformed = SeenKeys(), 0, chunks.malformed  # offset: rows before this chunk

    def check(read: pd.DataFrame, chunk: pd.DataFrame) -> Checked:
        return check_chunk(read, artifacts, args.input, seen, chunk, names)

    for chunk in chunks.frames:
        read = decimal_points(chunk, artifacts.data, numeric)
        bad = None if malformed is None else malformed.take(offset, len(chunk))
        checked = check(read, chunk) if bad is None else check_around(check, read, chunk, bad)
        scoring.submit(chunk, checked, row_ids(checked, artifacts.id_column, offset), offset)
        offset += len(chunk)
    return scoring.finish()


def numeric_inputs(artifacts: Artifacts) -> list[str]:
    """The columns whose decimal commas are read: the contract's number columns and the model's
    numeric inputs outside the contract (contract.new_column: include), as ingest reads every
    number column."""
    numeric = [c.name for c in artifacts.contract.columns if c.type in ("numeric", "boolean")]
    return numeric + [name for name in artifacts.spec.numeric if name not in numeric]


class ChunkScoring:
    """The model scores chunk k, and its scores and rejects are written, on a second thread
    (XGBoost and Arrow's writers release the GIL) while the caller reads and checks chunk k+1.
    The model runs single-threaded on one thread per core, on pieces of the chunk: XGBoost's
    own threads wait for each other whenever the caller's thread takes a core from one of them."""

    def __init__(self, args, artifacts: Artifacts, stack: ExitStack, files, progress) -> None:
        self.args, self.artifacts, self.stack, self.files = args, artifacts, stack, files
        self.progress, self.summary = progress, Summary(artifacts.version)
        self.raw_lines = is_csv(args.input)  # rejects of CSV rows that hold too few or many fields
        self.writers: dict[str, TableWriter] = {}
        self.jobs: list[futures.Future] = []  # submitted, not yet awaited
        self.scorer = stack.enter_context(ThreadPoolExecutor(max_workers=1))
        self.threads = cores()
        self.model_threads = stack.enter_context(ThreadPoolExecutor(max_workers=self.threads))
        stack.enter_context(threads_per_call(artifacts.model, 1))

    def writer(self, which: int, schema: pa.Schema) -> TableWriter:
        final = (self.args.output, self.args.rejects)[which]
        try:
            return TableWriter(self.files[which], schema, self.stack, like=final)
        except OSError as error:
            raise ChurnError(f"{final}: cannot be written ({error.strerror or error})") from None

    def open_writers(self, chunk: pd.DataFrame) -> None:
        """The scores' and rejects' files, with the first chunk's columns."""
        snapshot = self.artifacts.data.timestamp
        self.writers = {
            "scores": self.writer(0, score_schema(chunk, snapshot)),
            "rejects": self.writer(1, rejects_schema(chunk.columns, self.raw_lines)),
        }
        # on an error from here on, the scoring thread ends before the writers close
        self.stack.callback(futures.wait, self.jobs)

    def submit(self, chunk: pd.DataFrame, checked: Checked, ids: pd.Series, offset: int) -> None:
        """Score and write a checked chunk (offset: rows read before it) on the scoring thread;
        at most one more chunk waits behind the one scored, so memory stays bounded."""
        if not self.writers:
            self.open_writers(chunk)
        matrix = model_input(checked.valid, self.artifacts, checked.encoded)
        rejected = with_input_rows(checked.rejected, checked.positions, len(chunk), offset)
        checked = replace(checked, rejected=rejected)
        self.jobs.append(self.scorer.submit(self.score_and_write, chunk, checked, ids, matrix))
        if len(self.jobs) > 1:
            self.jobs.pop(0).result()

    def score_and_write(self, chunk, checked: Checked, ids: pd.Series, matrix) -> None:
        artifacts, snapshot = self.artifacts, self.artifacts.data.timestamp
        probability = probabilities(matrix, artifacts, self.model_threads, self.threads)
        scores = scores_of(probability, artifacts, ids)
        self.writers["scores"].write(with_snapshot(scores, chunk, checked, snapshot))
        self.writers["rejects"].write(checked.rejected)
        self.summary.add(len(chunk), checked, scores)
        advance(self.progress, len(chunk))

    def finish(self) -> Summary:
        """Wait for the last chunks; an empty input still leaves (empty) scores and rejects."""
        while self.jobs:
            self.jobs.pop(0).result()
        advance(self.progress, 0, done=True)
        if not self.writers:
            self.writer(0, SCORE_SCHEMA)
            self.writer(1, rejects_schema([], self.raw_lines))
        return self.summary


def cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def check_rejected_share(summary: dict, artifacts: Artifacts, args: argparse.Namespace) -> None:
    """contract.max_quarantined, as validate applies it: too many rows rejected stop the run
    (exit 2) once the scores, the rejects and the summary are written."""
    limit, kept = artifacts.policies.max_quarantined, ("rejected", args.rejects)
    by_reason = summary["rejected_by_reason"]
    check_refused_share(summary["rows_in"], by_reason, limit, args.input, kept)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv, __doc__)
    table_names(args)
    check_distinct(args)
    if args.summary:
        check_destination(args.summary)
    if args.fallback and not has_rows(args.input):
        print(f"predict: {args.input} has no rows: scoring {args.fallback}", file=sys.stderr)
        args.input = args.fallback
        table_suffix(args.input)
    artifacts = load_artifacts(args)
    try:
        with ExitStack() as stack, storage_errors(args.input, args.output, args.rejects):
            summary = score_stream(args, artifacts, stack).as_dict()
    except FileNotFoundError as error:
        raise ChurnError(f"{(name := error.filename or args.input)}: {missing(name)}") from error
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
    check_rejected_share(summary, artifacts, args)


if __name__ == "__main__":
    run_cli(main, "churn.predict")
