"""What batch scoring writes: the scores' and rejects' schemas, the scores with the input's
snapshot, and the counts over all chunks (the run's summary)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np
import pandas as pd
import pyarrow as pa

from churn.customer_keys import text_of_rows
from churn.malformed_rows import RAW_LINE, Malformed
from churn.scoring import REJECT_REASON, Checked, rejected_rows

SCORE_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("churn_probability", pa.float64()),
        ("churn_decision", pa.bool_()),
        ("model_version", pa.string()),
    ]
)


INPUT_ROW = "input_row"  # a rejected row's 0-based position among the input's rows


def rejects_schema(columns: Sequence[str], raw_lines: bool = False) -> pa.Schema:
    """The input's columns as text, then (raw_lines: for CSV) the text of a line with too few or
    too many fields, the row's position in the input and the reason; an input's own columns of
    those names (a rejects file fixed and scored again) give way to the new ones."""
    added = [RAW_LINE] * raw_lines + [INPUT_ROW, REJECT_REASON]
    kept = [(str(name), pa.string()) for name in columns if name not in added]
    raw = [(RAW_LINE, pa.string())] * raw_lines
    return pa.schema([*kept, *raw, (INPUT_ROW, pa.int64()), (REJECT_REASON, pa.string())])


def with_input_rows(
    rejected: pd.DataFrame, valid_at: np.ndarray, rows: int, offset: int
) -> pd.DataFrame:
    """A chunk's rejected rows with their input_row: every row of the chunk (rows long, offset
    rows after the input's first) not at a valid position, in input order, as they are listed;
    the numbering the scores' id takes when the data has no id."""
    at = np.setdiff1d(np.arange(rows), valid_at, assume_unique=True)
    return rejected.assign(**{INPUT_ROW: offset + at})


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


def check_around(
    check: Callable[[pd.DataFrame, pd.DataFrame], Checked],
    read: pd.DataFrame,
    chunk: pd.DataFrame,
    malformed: dict[int, Malformed],
) -> Checked:
    """check(read, chunk) (scoring.check_chunk of the chunk read and as written) of the rows that
    are not malformed; the malformed ones (by place in the chunk: MalformedRows.take) rejected in
    their place, as fields:<n> with their text in RAW_LINE (missing for the other rejects)."""
    at = np.asarray(sorted(malformed), dtype=np.int64)
    if not len(at):
        checked = check(read, chunk)
        return replace(checked, rejected=checked.rejected.assign(**{RAW_LINE: pd.NA}))
    keep = np.setdiff1d(np.arange(len(chunk)), at, assume_unique=True)
    checked = check(*(frame.iloc[keep].reset_index(drop=True) for frame in (read, chunk)))
    failed = keep[np.setdiff1d(np.arange(len(keep)), checked.positions, assume_unique=True)]
    rows = [malformed[place] for place in at]
    bad = rejected_rows(chunk, at, [row.reason for row in rows])
    bad = bad.assign(**{RAW_LINE: pd.array([row.text for row in rows], dtype="string")})
    rejected = pd.concat([checked.rejected.assign(**{RAW_LINE: pd.NA}), bad], ignore_index=True)
    order = np.argsort(np.concatenate([failed, at]), kind="stable")
    return replace(checked, rejected=rejected.iloc[order], positions=keep[checked.positions])
