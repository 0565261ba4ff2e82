"""The rows the drift stage leaves out as validate quarantines them: under contract.type_change:
quarantine, validate quarantines the wrong-typed values of a snapshot whose number column changed
type (a month of '7 logins'), and the model never trains on them. The stage stopped `dvc repro`
on them instead (`does not hold numeric values`), after validate, split and train had gone on."""

from __future__ import annotations

import numpy as np
import pandas as pd

from churn.column_checks import coerce_in
from churn.data_params import DataParams, Policies
from churn.drift_stats import numbers_or_flags
from churn.type_changes import type_change


def quarantined(frame: pd.DataFrame, numeric: list[str], data: DataParams, where: str) -> dict:
    """Per number column of the model, the rows whose values validate quarantines for a type
    change, judged per snapshot as validate judges them (type_changes.type_change)."""

    def stamps() -> pd.Series:
        return coerce_in(frame[data.timestamp], "datetime", where).values

    found = {}
    for name in (name for name in numeric if name in frame.columns):
        change = type_change(frame[name], numbers_or_flags(frame[name]), 1, stamps)
        if change is not None:
            found[name] = change.rows.to_numpy(dtype=bool)
    return found


def without_quarantined(frame, kinds, policies: Policies, data: DataParams, where: str):
    """(frame without those rows, the drift.json fields counting them, as validation.json does,
    or {}): only under contract.type_change: quarantine (under fail validate stops first), for
    the snapshots of data.timestamp, and the columns the feature spec (kinds) reads as numbers."""
    if policies.type_change != "quarantine" or not kinds or data.timestamp not in frame.columns:
        return frame, {}
    numeric = [name for name, kind in kinds.items() if kind == "numeric"]
    found = quarantined(frame, numeric, data, where)
    if not found:
        return frame, {}
    left_out = np.logical_or.reduce(list(found.values()))
    counts = {"quarantined_rows": int(left_out.sum()), "quarantined_by_reason": reasons_of(found)}
    return frame[~left_out], counts


def reasons_of(found: dict[str, np.ndarray]) -> dict[str, int]:
    """Rows per reason, each row counted once, under the first of its columns (found's order,
    the model's), as validate gives a row its first failed check: the counts add up to the rows."""
    counted = np.zeros(len(next(iter(found.values()))), dtype=bool)
    reasons = {}
    for name, rows in found.items():
        reasons[f"type:{name}"] = int((rows & ~counted).sum())
        counted |= rows
    return {reason: n for reason, n in sorted(reasons.items()) if n}


def without_undated(frame: pd.DataFrame, data: DataParams, where: str):
    """(frame without the rows that have no snapshot, the drift.json fields counting them or {}):
    a data.timestamp that is missing (validate quarantines it as null:COL) or reads as no date
    (type:COL). They belonged to neither window, and the stage left them out unsaid."""
    if not data.timestamp or data.timestamp not in frame.columns:
        return frame, {}
    stamps = coerce_in(frame[data.timestamp], "datetime", where)
    unreadable = stamps.bad.to_numpy(dtype=bool)
    undated = stamps.values.isna().to_numpy(dtype=bool) & ~unreadable
    reasons = {f"null:{data.timestamp}": int(undated.sum())}
    reasons[f"type:{data.timestamp}"] = int(unreadable.sum())
    left_out = undated | unreadable
    if not left_out.any():
        return frame, {}
    counts = {n: k for n, k in sorted(reasons.items()) if k}
    return frame[~left_out], {
        "quarantined_rows": int(left_out.sum()),
        "quarantined_by_reason": counts,
    }


def merged_counts(first: dict, then: dict) -> dict:
    """The drift.json counts of two steps that leave out rows (each row in one of them)."""
    if not first or not then:
        return first or then
    reasons = dict(first["quarantined_by_reason"])
    for reason, n in then["quarantined_by_reason"].items():
        reasons[reason] = reasons.get(reason, 0) + n
    rows = first["quarantined_rows"] + then["quarantined_rows"]
    return {"quarantined_rows": rows, "quarantined_by_reason": dict(sorted(reasons.items()))}


def left_out_note(counts: dict, timestamp: str = "", type_change: str = "quarantine") -> str:
    """The stderr line naming the rows the stage left out, and why (see without_quarantined and
    without_undated; timestamp: data.timestamp; type_change: contract.type_change, which a
    type:COL reason is of only under quarantine: else a wrong word in a required column)."""
    reasons = counts["quarantined_by_reason"]
    stamps = (f"null:{timestamp}", f"type:{timestamp}") if timestamp else ()
    typed = [r for r in reasons if r.startswith("type:") and r not in stamps]
    why = ["contract.type_change: quarantine"] if typed and type_change == "quarantine" else []
    if any(reason in stamps for reason in reasons):
        why.append(f"no snapshot: data.timestamp '{timestamp}' missing or not a date")
    listed = ", ".join(f"{reason} {n}" for reason, n in reasons.items())
    because = f" ({'; '.join(why)})" if why else ""
    return (
        f"drift: left out {counts['quarantined_rows']} row(s) that validate quarantines"
        f"{because}: {listed}"
    )
