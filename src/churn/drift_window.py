"""Which rows the drift stage compares: the newest month against the latest month (or months, to
make drift.min_rows rows) of the model's training window."""

from __future__ import annotations

import numpy as np
import pandas as pd

from churn.coercion import coerce
from churn.column_checks import coerce_in, label_text, unknown_labels
from churn.data_params import DataParams, check_data_columns
from churn.errors import ChurnError
from churn.params import DriftParams
from churn.raw_text import as_text
from churn.type_changes import snapshot_months


def newest_unlabelled(frame: pd.DataFrame, target: str, newest: np.ndarray) -> bool:
    """Whether the newest snapshot has no label yet, by validate's rule (unlabelled_newest):
    none of its rows has a label, while other rows have one."""
    if not target or target not in frame.columns:
        return False
    unknown = unknown_labels(label_text(as_text(frame[target]))).to_numpy()
    return bool(unknown[newest].all() and not unknown.all())


def split_window(
    frame: pd.DataFrame, data: DataParams, where: str, min_rows: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The reference and the newest snapshot, snapshots being calendar months of data.timestamp.
    split tests on the latest labelled month and trains on those before it (validate sets an
    unlabelled newest month apart, to score), and the reference is the latest of those training
    months: with a steady trend the newest month differed ever more from the average of all of
    them, so the drift re-flagged right after every retraining, which could never clear it."""
    months = snapshot_months(coerce_in(frame[data.timestamp], "datetime", where).values)
    newest = months.eq(months.max()).to_numpy(dtype=bool)
    unlabelled = newest_unlabelled(frame, data.target, newest)
    test_month = months[~newest].max() if unlabelled else months.max()
    window = months.lt(test_month).to_numpy(dtype=bool)
    latest = latest_months(months[window], min_rows)
    return frame[window & months.ge(latest).to_numpy(dtype=bool)], frame[newest]


def latest_months(window: pd.Series, min_rows: int) -> pd.Period:
    """The first month of the reference: the latest training month, or as many months back as
    make drift.min_rows rows (all of them when even they do not)."""
    rows = window.value_counts().sort_index(ascending=False).cumsum()
    enough = rows[rows >= min_rows]
    return enough.index[0] if len(enough) else window.min()


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
    reference, current = split_window(frame, data, where, params.min_rows)
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


def training_window(frame: pd.DataFrame, data: DataParams, where: str, min_rows: int):
    """The latest snapshots of frame the model was trained on, as the drift stage takes them (see
    split_window): `drift check --training-window` compares a batch with what the stage does."""
    check_data_columns(frame.columns, data, where)
    if not data.timestamp:
        raise ChurnError(
            f"{where}: no training window without snapshots (data.timestamp: ''): compare with "
            f"the data whole, without --training-window (make drift-batch REFERENCE={where} ...)"
        )
    return split_window(frame, data, where, min_rows)[0]


def snapshot_names(frame: pd.DataFrame, timestamp: str) -> list[str]:
    """The snapshots (calendar months, "2026-06") the rows come from, oldest first, as split,
    drift and validate count them (daily dates used to be listed one by one); none without a
    timestamp column."""
    if not timestamp or timestamp not in frame.columns:
        return []
    months = snapshot_months(coerce(frame[timestamp], "datetime").values).dropna().unique()
    return [str(month) for month in sorted(months)]


def window_fields(reference: pd.DataFrame, current: pd.DataFrame, data: DataParams) -> dict:
    """The drift.json fields that say which snapshots were compared."""
    return {
        "reference_snapshots": snapshot_names(reference, data.timestamp),
        "current_snapshots": snapshot_names(current, data.timestamp),
    }


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
