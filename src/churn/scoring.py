"""Scoring shared by batch and API: input checks, rejected rows with reasons, probabilities."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from churn.artifacts import Artifacts
from churn.column_checks import RETYPE_MIN_SCORED
from churn.errors import ChurnError
from churn.features import FeatureSpec, count_unknown, transform
from churn.model import predict_proba
from churn.validation import apply_contract

REJECT_REASON = "reject_reason"
SCORE_COLUMNS = ("id", "churn_probability", "churn_decision", "model_version")
ROW = "__row__"  # input position, to find the original values of rejected rows


@dataclass(frozen=True)
class Checked:
    """One chunk after the checks: rows to score, rows rejected (with reason), what was noticed."""

    valid: pd.DataFrame
    rejected: pd.DataFrame
    ignored: list[str] = field(default_factory=list)
    imputed: list[str] = field(default_factory=list)
    unknown: dict[str, int] = field(default_factory=dict)
    coerced: dict[str, dict[str, int]] = field(default_factory=dict)
    positions: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # of valid
    ids: pd.Series | None = None  # of valid, as the input wrote them (see verbatim_ids)


def add_missing_model_columns(frame: pd.DataFrame, spec: FeatureSpec, policy: str, where: str):
    """Model inputs absent from data and contract: fail naming them, or add them as missing."""
    missing = [col for col in spec.input_columns if col not in frame.columns]
    if missing and policy != "impute":
        raise ChurnError(
            f"{where}: missing feature column(s) {', '.join(missing)} "
            "(contract.missing_column: fail)"
        )
    return frame.assign(**dict.fromkeys(missing, np.nan)), missing


class SeenKeys:
    """The (snapshot, id) keys scored so far in one input, as sorted 64-bit hashes (8 bytes per
    row), so that a repeat is rejected whichever chunk it falls in."""

    def __init__(self) -> None:
        self.hashes = np.zeros(0, dtype=np.uint64)

    def repeats(self, hashes: np.ndarray) -> np.ndarray:
        """Which hashes were seen before or repeat an earlier one here; remembers the rest."""
        at = np.searchsorted(self.hashes, hashes)
        inside = at < len(self.hashes)
        repeat = np.zeros(len(hashes), dtype=bool)
        repeat[inside] = self.hashes[at[inside]] == hashes[inside]
        repeat |= pd.Series(hashes).duplicated(keep="first").to_numpy()
        fresh = np.sort(hashes[~repeat])
        self.hashes = np.sort(np.concatenate([self.hashes, fresh]), kind="stable")  # merges runs
        return repeat


def text_of_rows(column: pd.Series, positions: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """column.iloc[positions] as text, each distinct value formatted once (a snapshot column
    holds a handful of dates: formatting 50,000 of them per chunk was a tenth of scoring)."""
    codes, distinct = pd.factorize(column.iloc[positions])
    return pd.Series(distinct).astype("string").array.take(codes, allow_fill=True)


def repeated_ids(
    frame: pd.DataFrame, valid: pd.DataFrame, positions: np.ndarray, data, seen: SeenKeys
) -> np.ndarray:
    """Valid rows whose id (within its snapshot, when the input has the timestamp column) was
    scored before; rows without an id are never repeats."""
    if not data.id or data.id not in valid.columns:
        return np.zeros(len(valid), dtype=bool)
    keys = pd.DataFrame({"id": valid[data.id].astype("string").array})
    if data.timestamp and data.timestamp in frame.columns:
        keys["snapshot"] = text_of_rows(frame[data.timestamp], positions)
    has_id = keys["id"].notna().to_numpy()
    repeat = np.zeros(len(valid), dtype=bool)
    hashes = pd.util.hash_pandas_object(keys[has_id], index=False).to_numpy()
    repeat[has_id] = seen.repeats(hashes)
    return repeat


def verbatim_ids(frame: pd.DataFrame, id_column: str, positions: np.ndarray) -> pd.Series | None:
    """The scored rows' ids exactly as the input wrote them (" C1 " keeps its spaces), so scores
    join back to the source; None when the input holds the ids as numbers (the contract's text
    of 12.0 is "12")."""
    if not id_column or id_column not in frame.columns:
        return None
    raw = frame[id_column]
    if isinstance(raw.dtype, pd.CategoricalDtype):  # Parquet dictionary columns
        raw = raw.astype(object)
    if pd.api.types.infer_dtype(raw, skipna=True) != "string":
        return None
    return raw.iloc[positions].astype("string").reset_index(drop=True)


def contract_for_scoring(frame: pd.DataFrame, artifacts: Artifacts, where: str):
    """apply_contract as scoring needs it, on the frame with a ROW column of input positions."""
    data = artifacts.data
    # Columns outside the contract are kept when the model needs them (others are only listed).
    policies = replace(artifacts.policies, new_column="include")
    # The label and timestamp are optional when scoring and unused: skip their (costly) checks.
    unused = [c for c in (data.target, data.timestamp) if c and c in frame.columns]
    numbered = frame.drop(columns=unused).assign(**{ROW: np.arange(len(frame))})
    # Of the columns outside the contract, only those the model reads (and the id, which a
    # contract may leave out) are checked, costly per column on wide inputs; the others are
    # listed as ignored.
    known = set(artifacts.contract.names())
    wanted = [*artifacts.spec.input_columns, data.id]
    new = [ROW, *(name for name in wanted if name and name not in known)]
    return apply_contract(
        numbered, artifacts.contract, policies, data, where, True, RETYPE_MIN_SCORED, False, new
    )


def rejected_rows(source: pd.DataFrame, failed_at: np.ndarray, reasons: list[str]) -> pd.DataFrame:
    """The failed rows of source, in input order, with their reason last (replacing an earlier
    run's, when a rejects file is scored again), as text."""
    order = np.argsort(failed_at, kind="stable")
    rows = source.iloc[failed_at[order]] if len(failed_at) else source.iloc[:0]  # slice: no copy
    rows = rows.drop(columns=REJECT_REASON, errors="ignore")
    rejected = rows.assign(**{REJECT_REASON: np.asarray(reasons, dtype=object)[order]})
    # per column, costly on wide inputs: only when there is something
    return rejected.astype("string") if len(rejected) else rejected


def check_chunk(
    frame: pd.DataFrame,
    artifacts: Artifacts,
    where: str,
    seen: SeenKeys | None = None,
    as_written: pd.DataFrame | None = None,
) -> Checked:
    """Apply the contract for scoring; rows keep their input order, rejects keep their reason.
    A repeated id (within one snapshot) is rejected; pass the same `seen` for every chunk of one
    input to catch repeats across chunks. A column changed type only when the chunk has at least
    RETYPE_MIN_SCORED present values in it: fewer (a small file, the file's tail) only make the
    wrong-typed values missing (and the row rejected if the column is required). Rejected rows
    are taken from as_written when given: the chunk as the file wrote it, before decimal commas
    were made points."""
    spec, data = artifacts.spec, artifacts.data
    result = contract_for_scoring(frame, artifacts, where)
    positions = result.valid[ROW].to_numpy(dtype=np.int64)  # in input order when scoring
    valid = result.valid.drop(columns=ROW)
    repeat = repeated_ids(frame, valid, positions, data, seen or SeenKeys())
    reasons = [*result.rejected[REJECT_REASON], *[f"duplicate_id:{data.id}"] * int(repeat.sum())]
    failed_at = np.concatenate([result.rejected[ROW].astype(int).to_numpy(), positions[repeat]])
    valid, positions = valid[~repeat].reset_index(drop=True), positions[~repeat]
    valid, imputed = add_missing_model_columns(
        valid, spec, artifacts.policies.missing_column, where
    )
    imputed += [c for c in spec.input_columns if c not in frame.columns and c not in imputed]
    rejected = rejected_rows(frame if as_written is None else as_written, failed_at, reasons)
    used = {*spec.input_columns, data.id}
    ignored = [str(c) for c in frame.columns if c not in used]
    unknown, coerced = count_unknown(valid, spec), result.counts.get("coerced", {})
    ids = verbatim_ids(frame, data.id, positions)
    return Checked(valid, rejected, ignored, imputed, unknown, coerced, positions, ids)


def row_ids(checked: Checked, id_column: str, offset: int) -> pd.Series:
    """The ids as the input wrote them, else the id column as text, or, when the data has no id,
    each valid row's 0-based position in the input (offset = rows before this chunk), so rejected
    rows leave gaps, not shifts."""
    frame = checked.valid
    if checked.ids is not None:
        return checked.ids.set_axis(frame.index)
    if id_column and id_column in frame.columns:
        return frame[id_column].astype("string")
    return pd.Series(offset + checked.positions, index=frame.index).astype("string")


def score_frame(frame: pd.DataFrame, artifacts: Artifacts, ids: pd.Series) -> pd.DataFrame:
    """Churn probability and decision per row, from the same transform as training."""
    if frame.empty:  # every row rejected: transform cannot shape an empty matrix
        probability = np.zeros(0, dtype=np.float64)
    else:
        probability = predict_proba(artifacts.model, transform(frame, artifacts.spec))
    return pd.DataFrame(
        {
            "id": ids.astype("str").array,  # stays Arrow-backed: no Python string per row
            "churn_probability": probability,
            "churn_decision": probability >= artifacts.threshold,
            "model_version": artifacts.version,
        }
    )
