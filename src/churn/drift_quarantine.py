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


def left_out_note(counts: dict) -> str:
    """The stderr line naming the rows the stage left out (see without_quarantined)."""
    reasons = ", ".join(f"{reason} {n}" for reason, n in counts["quarantined_by_reason"].items())
    return (
        f"drift: left out {counts['quarantined_rows']} row(s) that validate quarantines "
        f"(contract.type_change: quarantine): {reasons}"
    )
