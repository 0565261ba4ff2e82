"""Scoring shared by batch and API: input checks, rejected rows with reasons, probabilities."""

from __future__ import annotations

import json
from concurrent.futures import Executor
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import pandas as pd

from churn.artifacts import Artifacts
from churn.csv_header import FROM_PARAMS, SettingNames
from churn.customer_keys import SeenKeys, repeated_ids, verbatim_ids
from churn.data_params import DataParams
from churn.errors import ChurnError
from churn.features import FeatureSpec
from churn.model import align_features, feature_names_of, predict_proba, predict_rows
from churn.model_matrix import count_unknown, transform
from churn.scoring_contract import ContractRows, category_codes, contract_for_scoring

REJECT_REASON = "reject_reason"
PIECE_ROWS = 8192  # rows per call of the model when scoring on several threads
NESTED = (dict, list, tuple, np.ndarray)  # values of nested (struct, list, map) Parquet columns


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
    encoded: dict | None = None  # of valid: model_matrix.encode_categories, for the transform


def add_missing_model_columns(frame: pd.DataFrame, spec: FeatureSpec, policy: str, where: str):
    """Model inputs absent from data and contract: fail naming them, or add them as missing."""
    missing = [col for col in spec.input_columns if col not in frame.columns]
    if missing and policy != "impute":
        raise ChurnError(
            f"{where}: missing feature column(s) {', '.join(missing)} "
            "(contract.missing_column: fail)"
        )
    return frame.assign(**dict.fromkeys(missing, np.nan)), missing


def plain_value(value: object) -> object:
    """What json cannot write itself: arrays as lists, numpy scalars as numbers, others as text."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value.item() if isinstance(value, np.generic) else str(value)


def nested_as_json(frame: pd.DataFrame) -> pd.DataFrame:
    """Dicts, lists and arrays (nested Parquet columns) as JSON text, not Python's repr, so a
    rejects file holds text a reader can parse; only object columns not all text are looked at."""
    written = frame.copy(deep=False)  # columns replaced below, never changed in place
    for at in np.flatnonzero([pd.api.types.is_object_dtype(kind) for kind in frame.dtypes]):
        column = frame.iloc[:, at]
        if pd.api.types.infer_dtype(column) in ("string", "empty"):
            continue
        nested = column.map(lambda value: isinstance(value, NESTED)).to_numpy(dtype=bool)
        if nested.any():
            text = column[nested].map(lambda value: json.dumps(value, default=plain_value))
            written.isetitem(at, column.where(~nested, text))
    return written


def rejected_rows(source: pd.DataFrame, failed_at: np.ndarray, reasons: list[str]) -> pd.DataFrame:
    """The failed rows of source, in input order, with their reason last (replacing an earlier
    run's, when a rejects file is scored again: dropped only then, a drop copies), as text."""
    order = np.argsort(failed_at, kind="stable")
    rows = source.iloc[failed_at[order]] if len(failed_at) else source.iloc[:0]  # slice: no copy
    rows = rows.drop(columns=REJECT_REASON) if REJECT_REASON in rows.columns else rows
    rejected = rows.assign(**{REJECT_REASON: np.asarray(reasons, dtype=object)[order]})
    # per column, costly on wide inputs: only when there is something
    return nested_as_json(rejected).astype("string") if len(rejected) else rejected


def drop_repeats(
    frame: pd.DataFrame, result: ContractRows, data: DataParams, seen: SeenKeys
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, list[str]]:
    """Reject the valid rows whose id came before (in this chunk, or in an earlier one that seen
    remembers): the rows left, their positions, and every failed row's position and reason."""
    valid, positions = result.valid, result.positions
    repeat = repeated_ids(frame, valid, positions, data, seen)
    reasons = [*result.reasons, *[f"duplicate_id:{data.id}"] * int(repeat.sum())]
    failed_at = np.concatenate([result.failed_at, positions[repeat]])
    if repeat.any():  # else no copy of the rows
        valid, positions = valid[~repeat].reset_index(drop=True), positions[~repeat]
    return valid, positions, failed_at, reasons


def with_model_columns(
    frame: pd.DataFrame, valid: pd.DataFrame, artifacts: Artifacts, where: str
) -> tuple[pd.DataFrame, list[str]]:
    """The valid rows with every model input, and the imputed columns: those added here and
    those absent from the chunk that the contract filled in."""
    spec, policy = artifacts.spec, artifacts.policies.missing_column
    valid, imputed = add_missing_model_columns(valid, spec, policy, where)
    absent = [c for c in spec.input_columns if c not in frame.columns and c not in imputed]
    return valid, [*imputed, *absent]


def check_chunk(
    frame: pd.DataFrame,
    artifacts: Artifacts,
    where: str,
    seen: SeenKeys | None = None,
    as_written: pd.DataFrame | None = None,
    names: SettingNames = FROM_PARAMS,
) -> Checked:
    """Apply the contract for scoring (rows in input order, rejects with their reason; a repeated
    id within one snapshot rejected: pass one `seen` for every chunk of an input). A column
    changed type only with at least RETYPE_MIN_SCORED present values in the chunk; rejected rows
    are taken from as_written when given (the chunk as the file wrote it, before decimal commas
    were made points); names: what set the CSV format, for the hints."""
    spec, data = artifacts.spec, artifacts.data
    result = contract_for_scoring(frame, artifacts, where, names)
    valid, positions, failed_at, reasons = drop_repeats(frame, result, data, seen or SeenKeys())
    valid, imputed = with_model_columns(frame, valid, artifacts, where)
    rejected = rejected_rows(frame if as_written is None else as_written, failed_at, reasons)
    # the snapshot keys the ids and is written with the scores: not ignored (nor in the API)
    used = {*spec.input_columns, data.id, data.timestamp}
    ignored = [str(c) for c in frame.columns if c not in used]
    # read once for the counts and the matrix
    encoded = category_codes(valid, spec, result.dictionaries, positions)
    unknown, coerced = count_unknown(valid, spec, encoded), result.coerced
    ids = verbatim_ids(frame, data.id, positions)
    return Checked(valid, rejected, ignored, imputed, unknown, coerced, positions, ids, encoded)


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


def model_input(frame: pd.DataFrame, artifacts: Artifacts, encoded=None) -> pd.DataFrame | None:
    """The model matrix of the rows to score, from the same transform as training (None when
    every row was rejected: transform cannot shape an empty matrix). encoded: Checked.encoded."""
    if frame.empty:
        return None
    names = feature_names_of(artifacts.model)
    return transform(frame, artifacts.spec, columns=names, encoded=encoded)


def probabilities(
    matrix: pd.DataFrame | None,
    artifacts: Artifacts,
    pool: Executor | None = None,
    threads: int = 1,
    rows: int = PIECE_ROWS,
) -> np.ndarray:
    """Churn probability per row of model_input's matrix; with a pool of `threads` threads, in
    equal pieces of at most `rows` rows, as many as a multiple of threads (so that no thread
    scores a last piece alone), scored on its threads (the same numbers: each row is scored
    alone)."""
    if matrix is None:
        return np.zeros(0, dtype=np.float64)
    if pool is None or len(matrix) < 2 * threads:
        return predict_proba(artifacts.model, matrix)
    values = align_features(matrix, artifacts.model)
    pieces = threads * -(-len(values) // (threads * rows))  # ceil
    parts = np.array_split(values, pieces)
    return np.concatenate(list(pool.map(partial(predict_rows, artifacts.model), parts)))


def scores_of(probability: np.ndarray, artifacts: Artifacts, ids: pd.Series) -> pd.DataFrame:
    """The scores table: id, probability, decision, model version."""
    return pd.DataFrame(
        {
            "id": ids.astype("str").array,  # stays Arrow-backed: no Python string per row
            "churn_probability": probability,
            "churn_decision": probability >= artifacts.threshold,
            "model_version": artifacts.version,
        }
    )


def score_frame(
    frame: pd.DataFrame, artifacts: Artifacts, ids: pd.Series, encoded=None
) -> pd.DataFrame:
    """Churn probability and decision per row, from the same transform as training (encoded:
    Checked.encoded, so the categories check_chunk read are not read again)."""
    probability = probabilities(model_input(frame, artifacts, encoded), artifacts)
    return scores_of(probability, artifacts, ids)
