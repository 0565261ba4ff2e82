"""validate's log lines on quarantined rows: the reasons counted, and the labels it refused
(invalid_label) named beside the ones it read, so a third label value is not lost unsaid."""

from __future__ import annotations

import pandas as pd

from churn.column_checks import label_text, unknown_labels
from churn.data_params import DataParams
from churn.errors import listing
from churn.raw_text import as_text, normalise_text


def reasons_note(reasons: dict[str, int], shown: int = 5) -> str:
    """' (reason count, ...)' for the summary line's quarantined rows, most first ("" for none)."""
    ranked = sorted(reasons.items(), key=lambda item: (-item[1], item[0]))
    parts = [f"{reason} {count}" for reason, count in ranked]
    return f" ({listing(parts, shown)})" if parts else ""


def shown(value: object) -> str:
    """A label value as the warning quotes it, escaped and cut as other errors show values
    ('Pau\\nsed': a line break in a quoted CSV cell split the one-line warning)."""
    return repr(str(value)[:40])


def counted(values: pd.Series) -> list[str]:
    """Each distinct value with its rows, most first: "'Paused' (822)"."""
    return [f"{shown(value)} ({count})" for value, count in values.value_counts().items()]


def invalid_labels_note(frame: pd.DataFrame, rejected: pd.DataFrame, data: DataParams):
    """One warning line naming the label values quarantined as invalid_label (with their rows)
    and the values read as the positive and the negative label; None when there are none."""
    reason = f"invalid_label:{data.target}"
    if data.target not in rejected.columns or "reject_reason" not in rejected.columns:
        return None
    invalid = as_text(rejected.loc[rejected["reject_reason"].eq(reason), data.target]).str.strip()
    if invalid.empty:
        return None
    written = as_text(frame[data.target]).str.strip()
    text = label_text(written)
    positive = label_text(pd.Series([normalise_text(data.positive_label)], dtype="string"))[0]
    read = written[~written.isin(set(invalid)) & ~unknown_labels(text).to_numpy(dtype=bool)]
    negative = read[label_text(read).ne(positive).to_numpy(dtype=bool)].unique()
    opposite = listing([shown(value) for value in negative]) or "no other value"
    return (
        f"validate: warning: {len(invalid)} row(s) quarantined as {reason}, labelled neither "
        f"{data.positive_label!r} (data.positive_label) nor {opposite} (read as not churned): "
        f"{listing(counted(invalid))}; to read them as not churned, list every label value "
        f"under the categories of column '{data.target}' in a contract (data.contract)"
    )
