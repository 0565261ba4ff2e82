"""Features that carry nothing in the training split (missing in every row, one value, or one
category level, such as every value rarer than featurize.min_category_count), and dates, which
the model cannot read: left out of the feature spec, each with the reason, so that the model is
neither trained nor served on them."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from churn.errors import ChurnError
from churn.features import ALL_MISSING, ENGINEERED, MISSING, UNKNOWN, FeatureSpec
from churn.model_matrix import transform

# As categories, each date was a level of its own: every later date (the newest month's, every
# new customer's) unseen, __unknown__ in scoring.
DATES = "dates: the model reads no dates"
DATES_NOTE = (
    "the model reads no dates, and as categories every later date would be unseen: give it a "
    "number instead, such as the days from each date to data.timestamp, in the export"
)


def date_columns(train: pd.DataFrame, spec: FeatureSpec) -> dict[str, str]:
    """The category inputs whose training values are dates (a contract's datetime column), each
    with the reason it is left out."""
    return {
        column: DATES
        for column in spec.categorical
        if pd.api.types.is_datetime64_any_dtype(train[column])
    }


def numeric_reason(values: np.ndarray) -> str | None:
    """Why a numeric (or engineered) matrix column takes one value in every row; None when not."""
    present = values[~np.isnan(values)]
    if not len(present):
        return ALL_MISSING
    if len(present) < len(values) or (present != present[0]).any():
        return None
    return f"one value, {float(present[0]):g}, in every training row"


def level_reason(matrix: pd.DataFrame, column: str, levels: list[str], min_count: int):
    """Why a categorical column's one-hot levels are one level in every row; None when not."""
    seen = [level for level in levels if matrix[f"{column}={level}"].to_numpy().any()]
    if len(seen) != 1:
        return None
    if seen[0] == UNKNOWN:
        return f"every value rarer than featurize.min_category_count: {min_count}"
    return ALL_MISSING if seen[0] == MISSING else f"one value, {seen[0]!r}, in every training row"


def constant_features(matrix: pd.DataFrame, spec: FeatureSpec, min_count: int) -> dict[str, str]:
    """Per input column or engineered feature constant in matrix (the training split's), why."""
    numbers = [*spec.numeric, *spec.engineered]
    reasons = {name: numeric_reason(matrix[name].to_numpy()) for name in numbers}
    for column, levels in spec.categorical.items():
        reasons[column] = level_reason(matrix, column, levels, min_count)
    return {name: why for name, why in reasons.items() if why}


def without_features(spec: FeatureSpec, left_out: dict[str, str]) -> FeatureSpec:
    """The spec without the left-out features and the engineered ones built from them, each
    recorded with its reason in left_out."""
    dropped = dict(left_out)
    for name in spec.engineered:
        lacking = [repr(col) for col in ENGINEERED[name][0] if col in left_out]
        if lacking and name not in dropped:
            dropped[name] = f"built from {', '.join(lacking)}, left out"
    return replace(
        spec,
        numeric=[col for col in spec.numeric if col not in dropped],
        categorical={col: lv for col, lv in spec.categorical.items() if col not in dropped},
        engineered=[name for name in spec.engineered if name not in dropped],
        left_out=dropped,
    )


def left_out_note(left_out: dict[str, str]) -> str:
    """One line naming the left-out features and why, or "" when there are none."""
    constant = {name: why for name, why in left_out.items() if why != DATES}
    dates = [repr(name) for name, why in left_out.items() if why == DATES]
    notes = []
    if constant:
        named = ", ".join(f"{name!r} ({why})" for name, why in constant.items())
        notes.append(f"left out {len(constant)} feature(s) constant in the training split: {named}")
    if dates:
        notes.append(f"left out date column(s) {', '.join(dates)} ({DATES_NOTE})")
    return "; ".join(notes)


def drop_constant_features(
    train: pd.DataFrame, spec: FeatureSpec, min_count: int, where: str
) -> FeatureSpec:
    """spec without the features that are constant in train, and without its date columns
    (where: train's file, for errors); a ChurnError when no feature is left."""
    left_out = constant_features(transform(train, spec, where), spec, min_count)
    left_out |= date_columns(train, spec)
    kept = without_features(spec, left_out) if left_out else spec
    if not kept.feature_names:
        note = left_out_note(left_out)
        raise ChurnError(f"{where}: no feature varies in the training split ({note})")
    return kept
