"""A snapshot delivered twice: two files of one month in ingest.source (a corrected export
beside the first one), or one file holding the month twice. validate keeps the first copy of
each customer's row in a snapshot and quarantines the others as duplicate_id, so the month
would be trained on with whichever copy was read first, with no word said."""

from __future__ import annotations

import pandas as pd

from churn.column_checks import coerce_in
from churn.data_params import DataParams
from churn.errors import ChurnError, listing
from churn.source_rows import SOURCE_COLUMN
from churn.type_changes import snapshot_months

# A snapshot this share of whose rows repeat an id of it holds more than stray duplicates.
REPEATED_SHARE = 0.25


def rows_per_snapshot(frame: pd.DataFrame, timestamp: str, where: str) -> pd.Series:
    """How many rows each snapshot (calendar month of data.timestamp) has in frame."""
    stamps = coerce_in(frame[timestamp], "datetime", where).values
    return snapshot_months(stamps).value_counts()


def repeated_snapshots(
    frame: pd.DataFrame, repeats: pd.DataFrame, data: DataParams, where: str
) -> list[tuple[str, int, int]]:
    """(snapshot, rows repeating an id of it, its rows) for each snapshot of frame (the rows
    validate read) at least REPEATED_SHARE of whose rows are among repeats (the rows it
    quarantined as duplicate_id, with their values as read)."""
    if not data.timestamp or data.timestamp not in frame.columns or repeats.empty:
        return []
    totals = rows_per_snapshot(frame, data.timestamp, where)
    counts = rows_per_snapshot(repeats, data.timestamp, where)
    return [
        (str(month), int(count), int(totals[month]))
        for month, count in sorted(counts.items())
        if count >= REPEATED_SHARE * totals[month]
    ]


def check_repeated_snapshots(
    frame: pd.DataFrame, quarantined: pd.DataFrame, data: DataParams, where: str, kept: str
) -> None:
    """Stop naming each snapshot that looks delivered twice (kept: the quarantine file, written
    before: the repeats can be inspected there)."""
    reasons = quarantined.get("reject_reason", pd.Series(dtype=object)).astype(str)
    repeats = quarantined[reasons.str.startswith("duplicate_id:").to_numpy(dtype=bool)]
    found = repeated_snapshots(frame, repeats, data, where)
    if found:
        named = "; ".join(f"{month}: {count} of its {total}" for month, count, total in found)
        raise ChurnError(
            f"{where}: rows repeating a customer id of their snapshot ({named}) were "
            f"quarantined as duplicate_id, the first copy read kept (see {kept}): "
            f"was a month delivered twice? keep one file of it in ingest.source{files(repeats)}"
        )


def files(repeats: pd.DataFrame) -> str:
    """The source files the repeats came from (the quarantine's reject_source), as a hint; ""
    without them."""
    if SOURCE_COLUMN not in repeats.columns:
        return ""
    named = listing(list(dict.fromkeys(repeats[SOURCE_COLUMN].astype(str))), 3)
    return f" (the repeats are from {named})"
