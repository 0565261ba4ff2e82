"""Which rows the drift stage compares: the newest snapshot against the snapshots before it."""

from __future__ import annotations

import pandas as pd

from churn.coercion import coerce
from churn.params import DataParams, DriftParams, check_data_columns


def split_window(frame: pd.DataFrame, timestamp: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Training window (all snapshots but the newest) and the newest snapshot."""
    stamps = coerce(frame[timestamp], "datetime").values
    latest = stamps.max()
    return frame[stamps < latest], frame[stamps == latest]


def stage_window(frame: pd.DataFrame, params: DriftParams, data: DataParams, where: str = "data"):
    """(training window, newest snapshot, why they cannot be compared or None). Data without a
    timestamp, or with too few rows on a side, is not compared, so `dvc repro` still completes;
    a data.target, data.id or data.timestamp column the data lacks is an error."""
    check_data_columns(frame.columns, data, where)
    if not data.timestamp:
        return (
            frame,
            frame.iloc[:0],
            f"no snapshots to compare (data.timestamp: '{data.timestamp}')",
        )
    reference, current = split_window(frame, data.timestamp)
    if min(len(reference), len(current)) < params.min_rows:
        return (
            reference,
            current,
            (
                f"training window {len(reference)} rows, newest snapshot {len(current)} rows "
                f"(drift.min_rows: {params.min_rows})"
            ),
        )
    return reference, current, None


def skipped_report(reason: str, reference_rows: int, current_rows: int) -> dict:
    """A drift.json that says why no comparison was made (nothing drifted, nothing to retrain)."""
    return {
        "drift": False,
        "skipped": True,
        "reason": f"skipped: {reason}",
        "share_drifted": 0.0,
        "reference_rows": reference_rows,
        "current_rows": current_rows,
        "features": {},
    }
