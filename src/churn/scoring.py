"""Scoring shared by batch and API: input checks, rejected rows with reasons, probabilities."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from churn.artifacts import Artifacts
from churn.errors import ChurnError
from churn.features import FeatureSpec, count_unknown, transform
from churn.model import predict_proba

REJECT_REASON = "reject_reason"
SCORE_COLUMNS = ("id", "churn_probability", "churn_decision", "model_version")
MISSING_POLICIES = ("fail", "impute")


@dataclass(frozen=True)
class Checked:
    """One chunk after the checks: rows to score, rows rejected (with reason), what was noticed."""

    valid: pd.DataFrame
    rejected: pd.DataFrame
    ignored: list[str] = field(default_factory=list)
    imputed: list[str] = field(default_factory=list)
    unknown: dict[str, int] = field(default_factory=dict)


def fill_missing_columns(frame: pd.DataFrame, spec: FeatureSpec, policy: str, where: str):
    """Missing feature columns: fail naming them, or add them empty (scored as missing values)."""
    missing = [col for col in spec.input_columns if col not in frame.columns]
    if missing and policy != "impute":
        raise ChurnError(f"{where}: missing feature column(s) {', '.join(missing)}")
    return frame.assign(**dict.fromkeys(missing, None)), missing


def as_numbers(values: pd.Series) -> np.ndarray:
    """A column as float64, NaN where a value is missing or does not parse as a number."""
    parsed = pd.to_numeric(values, errors="coerce")
    return pd.Series(parsed, index=values.index).astype("Float64").to_numpy("float64", np.nan)


def row_reject_reasons(frame: pd.DataFrame, spec: FeatureSpec, id_column: str) -> pd.Series:
    """Per row, the first problem found: no id, a number that does not parse, an infinite value."""
    reasons = pd.Series(pd.NA, index=frame.index, dtype="string")
    if id_column and id_column in frame.columns:
        reasons = reasons.mask(frame[id_column].isna(), f"{id_column}: missing id")
    for col in spec.numeric:
        numbers = as_numbers(frame[col])
        not_number = frame[col].notna().to_numpy() & np.isnan(numbers)
        reasons = reasons.mask(not_number & reasons.isna(), f"{col}: not a number")
        reasons = reasons.mask(np.isinf(numbers) & reasons.isna(), f"{col}: infinite value")
    return reasons


def check_chunk(
    frame: pd.DataFrame, spec: FeatureSpec, id_column: str, policy: str, where: str
) -> Checked:
    """Split a chunk into scorable and rejected rows; report ignored columns and unseen values."""
    known = {*spec.input_columns, id_column}
    ignored = [col for col in frame.columns if col not in known]
    filled, imputed = fill_missing_columns(frame, spec, policy, where)
    reasons = row_reject_reasons(filled, spec, id_column)
    bad = reasons.notna().to_numpy()
    rejected = frame[bad].astype("string").assign(**{REJECT_REASON: reasons[bad]})
    valid = filled[~bad]
    return Checked(valid, rejected, ignored, imputed, count_unknown(valid, spec))


def row_ids(frame: pd.DataFrame, id_column: str, offset: int) -> pd.Series:
    """The id column as text, or the row number in the input when the data has no id."""
    if id_column and id_column in frame.columns:
        return frame[id_column].astype("string")
    return pd.Series(np.arange(offset, offset + len(frame)), index=frame.index).astype("string")


def score_frame(frame: pd.DataFrame, artifacts: Artifacts, ids: pd.Series) -> pd.DataFrame:
    """Churn probability and decision per row, from the same transform as training."""
    probability = predict_proba(artifacts.model, transform(frame, artifacts.spec))
    return pd.DataFrame(
        {
            "id": ids.to_numpy(),
            "churn_probability": probability,
            "churn_decision": probability >= artifacts.threshold,
            "model_version": artifacts.version,
        }
    )
