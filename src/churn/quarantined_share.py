"""validate's stop on too many quarantined rows (contract.max_quarantined), after its outputs
are written, naming the source files those rows came from as its other errors about rows do."""

from __future__ import annotations

import argparse
from collections.abc import Mapping

import numpy as np
import pandas as pd

from churn.errors import ChurnError
from churn.refused_share import check_refused_share
from churn.source_rows import files_of

NEWEST = "its unlabelled newest snapshot, the rows to score"


def rows_of(where: str, rows: np.ndarray, sources: pd.Series | None, part: str = "") -> str:
    """The table at where, or the part of it, as an error names rows of it: their source files
    first when known (`exports/m03.csv (rows of in.parquet)`), else the table."""
    if sources is None or not len(rows):
        return f"{where} ({part})" if part else where
    return f"{files_of(sources, rows)} (rows of {where}{': ' + part if part else ''})"


def check_quarantined_share(
    results: tuple, limit: float, args: argparse.Namespace, advice: Mapping[str, str], sources
) -> None:
    """Stop when no row, or too few rows, passed the contract, or too few of the unlabelled
    newest snapshot's (else the score stage would score last month's rows, unseen). results:
    (every row's ValidationResult, the newest snapshot's); sources: each row's source file or
    None; advice: check_refused_share's."""
    result, newest = results
    counts, rows = result.counts, result.rejected_rows
    if counts["rows_valid"] == 0:
        raise ChurnError(
            f"{rows_of(str(args.input), rows, sources)}: no valid rows (all "
            f"{counts['rows_quarantined']} quarantined in {args.quarantine_out}; reasons in "
            f"{args.metrics})"
        )
    kept = ("quarantined", str(args.quarantine_out))
    parts = ((result, ""), (newest, NEWEST))
    for part, label in parts:
        where = rows_of(str(args.input), part.rejected_rows, sources, label)
        share = part.counts
        check_refused_share(
            share["rows_in"], share["quarantined_by_reason"], limit, where, kept, advice
        )
