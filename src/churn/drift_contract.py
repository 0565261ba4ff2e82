"""The drift stage and check read as validate did, by the contract it applied (models/contract.yaml,
`--contract`): the rows validate quarantines are left out and counted, and each column is compared
as the type validate gave it. Re-deriving the types, drift disagreed with validate: it left out a
month whose new column (contract.new_column: include) validate kept with its text as missing
values, and compared a flag column of counts that validate quarantines."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from churn.column_checks import coerce_in, label_text, unknown_labels
from churn.contract_columns import check_columns, kind_of, new_column_kinds
from churn.contract_spec import Contract
from churn.data_params import DataParams, Policies
from churn.drift_window import newest_unlabelled
from churn.raw_text import as_text
from churn.type_changes import snapshot_months
from churn.validation import row_reasons

# The types drift compares by the contract: a flag as the numbers the model reads, and dates as
# it compares them without one (featurize leaves them out of the model).
COMPARED = ("numeric", "boolean", "categorical")


def unlabelled_rows(frame: pd.DataFrame, data: DataParams, where: str, batch=False) -> np.ndarray:
    """The rows validate checks as the ones to score (validate.unlabelled_newest): a newest
    snapshot without labels, or the whole frame when it has no label column (a batch), or is a
    batch (`drift check --current`) whose label column holds no label at all (scoring ignores
    it: its rows were all quarantined as null:LABEL)."""
    if not data.target or data.target not in frame.columns or (batch and no_labels(frame, data)):
        return np.ones(len(frame), dtype=bool)
    if not data.timestamp or data.timestamp not in frame.columns or frame.empty:
        return np.zeros(len(frame), dtype=bool)
    months = snapshot_months(coerce_in(frame[data.timestamp], "datetime", where).values)
    newest = months.eq(months.max()).to_numpy(dtype=bool)
    return newest if newest_unlabelled(frame, data.target, newest) else np.zeros(len(frame), bool)


def no_labels(frame: pd.DataFrame, data: DataParams) -> bool:
    """Whether the label column holds no label at all (blank, or a missing-value marker)."""
    return bool(unknown_labels(label_text(as_text(frame[data.target]))).all())


def scored_columns(frame: pd.DataFrame, data: DataParams, spec_kinds) -> set[str]:
    """The columns batch scoring checks in a batch (scoring_contract.scoring_checks): the model's
    inputs (spec_kinds; every column when unknown) and the id, never the label or timestamp."""
    names = set(frame.columns) if spec_kinds is None else set(spec_kinds)
    return ({*names, data.id} - {data.target, data.timestamp}) - {""}


def part_reasons(frame, contract, policies, data, where, scoring: bool, batch=None, held=None):
    """(per row of frame, the reason validate quarantines it or "", the type validate gave each
    column of frame it checks, the types of its new columns with values), by validate's own
    checks (contract_columns.check_columns); held: the types new columns are held to; a batch's
    rows to score fail only the checks of the columns batch scoring checks (batch:
    scored_columns)."""
    checks = check_columns(frame, contract, policies, data, where, scoring, kinds=held)
    if batch is not None and scoring:  # a bad date, or a column the model ignores: scored
        checks = {n: c if n in batch else replace(c, failures=[]) for n, c in checks.items()}
    checks = {name: check for name, check in checks.items() if name in frame.columns}
    typed = pd.DataFrame({name: check.values for name, check in checks.items()}, index=frame.index)
    listed = {column.name: column.type for column in contract.columns}
    kinds = {name: listed.get(name) or kind_of(check.values) for name, check in checks.items()}
    new = new_column_kinds(typed, contract, data.id)
    return row_reasons(typed, checks, data, True, where), kinds, new


def contract_rows(
    frame, contract: Contract, policies: Policies, data: DataParams, where: str, batch, held
):
    """(the rows validate keeps, the drift.json fields counting those it quarantines or {}, the
    type validate gave each compared column): labelled rows and an unlabelled newest snapshot
    checked apart, as validate checks them, the latter's new columns held to the types the
    former gave them (held: the types to hold all of them to, the reference's in a check).
    batch: the columns batch scoring checks in a batch to score (`drift check --current`; see
    scored_columns), or None."""
    scored = unlabelled_rows(frame, data, where, batch is not None)
    reasons = pd.Series("", index=frame.index, dtype=object)
    kinds: dict[str, str] = {}
    for rows, scoring in ((~scored, False), (scored, True)):
        if rows.any():
            part = (
                frame[rows].drop(columns=data.target, errors="ignore") if scoring else frame[rows]
            )
            found, types, new = part_reasons(
                part, contract, policies, data, where, scoring, batch, held
            )
            reasons[rows], kinds, held = found.to_numpy(), types | kinds, held or new
    kept = reasons.eq("").to_numpy()
    counts = reasons[~kept].value_counts()
    left_out = {
        "quarantined_rows": int((~kept).sum()),
        "quarantined_by_reason": {str(reason): int(n) for reason, n in sorted(counts.items())},
    }
    compared = {name: kind for name, kind in kinds.items() if kind in COMPARED}
    return frame[kept], left_out if not kept.all() else {}, compared
