"""Feature logic shared by training, evaluation and serving: one JSON spec, one transform."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from churn.errors import ChurnError, json_kind, read_text

MISSING = "__missing__"
UNKNOWN = "__unknown__"
SPEC_VERSION = 1


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator, missing where the denominator is zero or missing."""
    return numerator / np.where(denominator > 0, denominator, np.nan)


# Engineered features: name -> (columns they need, function of the numeric columns as float64
# arrays). Applied only when all the columns they need exist, so the same code serves other
# people's data. Plain NumPy: the same IEEE operations as pandas', without its per-call cost.
ENGINEERED: dict[str, tuple[tuple[str, ...], Callable[[Mapping[str, np.ndarray]], np.ndarray]]] = {
    "orders_per_session": (
        ("orders_30d", "sessions_30d"),
        lambda f: _ratio(f["orders_30d"], f["sessions_30d"]),
    ),
    "order_trend": (
        ("orders_30d", "orders_90d"),
        lambda f: _ratio(3 * f["orders_30d"], f["orders_90d"]),
    ),
    "return_rate": (
        ("returns_90d", "orders_90d"),
        lambda f: _ratio(f["returns_90d"], f["orders_90d"]),
    ),
    "tickets_per_order": (
        ("support_tickets_90d", "orders_90d"),
        lambda f: f["support_tickets_90d"] / (f["orders_90d"] + 1),
    ),
}


@dataclass(frozen=True)
class FeatureSpec:
    """What the model sees: numeric columns, categorical levels, engineered features, in order."""

    numeric: list[str]
    categorical: dict[str, list[str]]
    engineered: list[str]
    excluded: list[str] = field(default_factory=list)
    version: int = SPEC_VERSION

    @property
    def feature_names(self) -> list[str]:
        """Column order of the model matrix."""
        one_hot = [f"{col}={level}" for col, levels in self.categorical.items() for level in levels]
        return [*self.numeric, *self.engineered, *one_hot]

    @property
    def input_columns(self) -> list[str]:
        """Raw columns a record must carry to be scored."""
        return [*self.numeric, *self.categorical]

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str, where: str = "feature spec") -> FeatureSpec:
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as error:
            raise ChurnError(f"{where}: not a valid feature spec ({error})") from error
        if isinstance(raw, dict) and raw.get("version") != SPEC_VERSION:
            raise ChurnError(f"{where}: unsupported feature spec version {raw.get('version')}")
        problem = spec_problem(raw)
        if problem:
            raise ChurnError(f"{where}: not a feature spec written by churn.featurize ({problem})")
        return cls(**raw)

    @classmethod
    def load(cls, path: Path | str) -> FeatureSpec:
        return cls.from_json(read_text(path, "feature spec not found (run `dvc repro`)"), str(path))


def names_problem(value: object, what: str) -> str | None:
    """Why a spec field is no array of text (names or levels); None when it is one."""
    if not isinstance(value, list):
        return f"expected an array of {what}, got a JSON {json_kind(value)}"
    odd = [item for item in value if not isinstance(item, str)]
    return f"expected {what} as text, got a JSON {json_kind(odd[0])}" if odd else None


def engineered_problem(names: list[str], numeric: list[str]) -> str | None:
    """Why an engineered feature cannot be built: unknown, or lacking its numeric columns."""
    for name in names:
        if name not in ENGINEERED:
            return f"{name!r} is not one of {', '.join(ENGINEERED)}"
        lacking = [col for col in ENGINEERED[name][0] if col not in numeric]
        if lacking:
            return f"{name!r} needs the numeric column(s) {', '.join(lacking)}"
    return None


def spec_problem(raw: object) -> str | None:
    """What makes parsed JSON no feature spec, as "field: why"; None when it is one."""
    if not isinstance(raw, dict):
        return f"expected a JSON object, got a JSON {json_kind(raw)}"
    known = [spec_field.name for spec_field in fields(FeatureSpec)]
    unknown = [name for name in raw if name not in known]
    absent = [name for name in ("numeric", "categorical", "engineered") if name not in raw]
    if unknown or absent:
        return f"{(unknown or absent)[0]}: {'not a field' if unknown else 'missing'}"
    problems = {name: names_problem(raw.get(name, []), "names") for name in
                ("numeric", "engineered", "excluded")}  # fmt: skip
    if not isinstance(raw["categorical"], dict):
        problems["categorical"] = f"expected an object, got a JSON {json_kind(raw['categorical'])}"
    else:
        for column, levels in raw["categorical"].items():
            problems[f"categorical.{column}"] = names_problem(levels, "levels")
    if not any(problems.values()):
        problems["engineered"] = engineered_problem(raw["engineered"], raw["numeric"])
    found = [f"{name}: {why}" for name, why in problems.items() if why]
    return found[0] if found else None


def is_numeric_column(column: pd.Series) -> bool:
    """Numbers and booleans are numeric features; everything else is categorical."""
    return pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column)


def category_levels(column: pd.Series, min_count: int) -> list[str]:
    """Levels seen at least min_count times (sorted), plus the missing and unknown levels."""
    counts = column.dropna().astype("string").value_counts()
    frequent = sorted(str(level) for level in counts[counts >= min_count].index)
    return [*frequent, MISSING, UNKNOWN]


def fit_feature_spec(train: pd.DataFrame, excluded: list[str], min_count: int) -> FeatureSpec:
    """Decide the feature set from the training split only."""
    candidates = [col for col in train.columns if col not in excluded]
    numeric = [col for col in candidates if is_numeric_column(train[col])]
    categorical = {
        col: category_levels(train[col], min_count) for col in candidates if col not in numeric
    }
    engineered = [
        name for name, (needs, _) in ENGINEERED.items() if all(col in numeric for col in needs)
    ]
    return FeatureSpec(numeric, categorical, engineered, sorted(excluded))


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
    text = column.astype("string")
    known, missing_at, unknown_at = known_positions(levels)
    if text.dtype.storage == "pyarrow":  # one pass in Arrow, no factorize of the rows
        arrow = text.array.__arrow_array__()
        value_set = pa.array(list(known), type=arrow.type)
        found = pc.fill_null(pc.index_in(arrow, value_set=value_set), -1)
        at = found.to_numpy()  # index into known (-1: missing or unseen)
        missing = text.isna().to_numpy()
        lookup = np.asarray([*known.values(), unknown_at], dtype=np.intp)
        codes = np.where(missing, missing_at, lookup[at])
        return codes % len(levels), int(((at < 0) & ~missing).sum())
    codes, uniques = pd.factorize(text)  # missing -> -1
    lookup = [known.get(value, unknown_at) for value in uniques] + [missing_at]
    unseen = [value not in known for value in uniques] + [False]
    return np.asarray(lookup, dtype=np.intp)[codes] % len(levels), int(
        np.asarray(unseen)[codes].sum()
    )


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
    with np.errstate(all="ignore"):  # x/0, 0/0 and overflow silent, as in pandas
        engineered = {name: ENGINEERED[name][1](numeric) for name in spec.engineered}
    matrix = np.zeros((len(frame), len(names)), dtype=np.float32)
    for name, values in {**numeric, **engineered}.items():  # float64, cast as they are stored
        matrix[:, at[name]] = values
    # one-hot: each row's level set through the flat buffer (2-D fancy indexing is slower)
    flat, starts = matrix.reshape(-1), np.arange(len(frame)) * len(names)
    for col, levels in spec.categorical.items():
        places = np.asarray([at[f"{col}={level}"] for level in levels], dtype=np.intp)
        codes = level_codes(frame[col], levels) if encoded is None else encoded[col][0]
        flat[starts + places[codes]] = 1.0
    return pd.DataFrame(matrix, columns=names, index=frame.index, copy=False)
