"""The model matrix: categories as level codes, then the float32 matrix the model reads, built
from a feature spec by one transform shared by training, evaluation and serving."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from churn.errors import ChurnError
from churn.features import ENGINEERED, MISSING, UNKNOWN, FeatureSpec

ARROW_TEXT = pd.StringDtype("pyarrow")


def check_columns(frame: pd.DataFrame, spec: FeatureSpec, where: str) -> None:
    """Fail, naming the columns, when the frame lacks columns the spec needs."""
    missing = [col for col in spec.input_columns if col not in frame.columns]
    if missing:
        raise ChurnError(f"{where}: missing feature column(s) {', '.join(missing)}")


def level_codes(column: pd.Series, levels: list[str]) -> np.ndarray:
    """Each row's position in levels: missing values at MISSING, unseen or rare ones at UNKNOWN."""
    return encode_levels(column, levels)[0]


def known_positions(levels: list[str]) -> tuple[dict[str, int], int, int]:
    """The known levels' positions, and those of MISSING and UNKNOWN (-1 when a hand-written
    spec lacks one: np.eye(n)[-1] semantics once taken modulo len(levels))."""
    known = {level: i for i, level in enumerate(levels) if level not in (MISSING, UNKNOWN)}
    missing, unknown = (levels.index(name) if name in levels else -1 for name in (MISSING, UNKNOWN))
    return known, missing, unknown


def encode_levels(column: pd.Series, levels: list[str]) -> tuple[np.ndarray, int]:
    """level_codes, and how many present values are not among the known levels."""
    # one pass in Arrow, no factorize (and no copy: the checks' text is this type already)
    text = column if column.dtype == ARROW_TEXT else column.astype(ARROW_TEXT)
    known, missing_at, unknown_at = known_positions(levels)
    arrow = text.array.__arrow_array__()
    value_set = pa.array(list(known), type=arrow.type)
    found = pc.fill_null(pc.index_in(arrow, value_set=value_set), -1)
    at = found.to_numpy()  # index into known (-1: missing or unseen)
    missing = arrow.is_null().to_numpy(zero_copy_only=False)  # Series.isna: ~5x the cost
    lookup = np.asarray([*known.values(), unknown_at], dtype=np.intp)
    codes = np.where(missing, missing_at, lookup[at])
    return codes % len(levels), int(((at < 0) & ~missing).sum())


def encode_dictionary(codes: np.ndarray, distinct: list, levels: list[str]):
    """encode_levels of a text column given as its rows' positions in its distinct values
    (-1: missing), as coercion.arrow_dictionary reads them: no pass over the rows' text."""
    known, missing_at, unknown_at = known_positions(levels)
    lookup = np.asarray([known.get(v, unknown_at) for v in distinct] + [missing_at], np.intp)
    unseen = np.asarray([value not in known for value in distinct] + [False])
    return lookup[codes] % len(levels), int(unseen[codes].sum())


def encode_categories(frame: pd.DataFrame, spec: FeatureSpec) -> dict[str, tuple[np.ndarray, int]]:
    """Per categorical column, encode_levels: level codes and unseen count, read once for both
    count_unknown and transform (pass them as its `levels`)."""
    return {col: encode_levels(frame[col], levels) for col, levels in spec.categorical.items()}


def count_unknown(frame: pd.DataFrame, spec: FeatureSpec, encoded=None) -> dict[str, int]:
    """Per categorical column, how many present values are not among the known levels."""
    encoded = encode_categories(frame, spec) if encoded is None else encoded
    return {col: unseen for col, (_, unseen) in encoded.items()}


def as_float64(column: pd.Series) -> np.ndarray:
    """Numbers as float64 (text that is not a number becomes NaN); no copy when already float64."""
    if column.dtype == np.float64:
        return column.to_numpy()
    return pd.to_numeric(column, errors="coerce").astype("float64").to_numpy()


def matrix_order(spec: FeatureSpec, columns: Sequence[str] | None) -> list[str]:
    """columns when they are spec.feature_names in another order (the model's), else the spec's."""
    names = spec.feature_names
    return list(columns) if columns is not None and sorted(columns) == sorted(names) else names


def transform(
    frame: pd.DataFrame, spec: FeatureSpec, where: str = "input", columns=None, encoded=None
) -> pd.DataFrame:
    """Build the float32 model matrix in spec.feature_names order (or in columns', the model's
    order: no reordering copy later); NaN marks missing numbers. The matrix is row-major:
    XGBoost reads a column-major one ~1.4x slower. encoded: encode_categories(frame, spec)
    when the caller has it already."""
    check_columns(frame, spec, where)
    names = matrix_order(spec, columns)
    at = {name: position for position, name in enumerate(names)}
    numeric = {col: as_float64(frame[col]) for col in spec.numeric}
    matrix = np.zeros((len(frame), len(names)), dtype=np.float32)
    with np.errstate(all="ignore"):  # x/0, 0/0 and overflow silent, as in pandas
        engineered = {name: ENGINEERED[name][1](numeric) for name in spec.engineered}
        for name, values in {**numeric, **engineered}.items():  # float64, cast as stored:
            matrix[:, at[name]] = values  # beyond float32's range, +-inf (no warning printed)
    # one-hot: each row's level set through the flat buffer (2-D fancy indexing is slower)
    flat, starts = matrix.reshape(-1), np.arange(len(frame)) * len(names)
    for col, levels in spec.categorical.items():
        places = np.asarray([at[f"{col}={level}"] for level in levels], dtype=np.intp)
        codes = level_codes(frame[col], levels) if encoded is None else encoded[col][0]
        flat[starts + places[codes]] = 1.0
    return pd.DataFrame(matrix, columns=names, index=frame.index, copy=False)
