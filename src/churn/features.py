"""The feature spec shared by training, evaluation and serving: which columns the model sees, the
category levels and engineered features (built by churn.model_matrix), as one JSON file."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import numpy as np
import pandas as pd

from churn.errors import ChurnError, json_kind, read_text

MISSING = "__missing__"
UNKNOWN = "__unknown__"
ALL_MISSING = "missing in every training row"  # why featurize left a feature out (left_out)
SPEC_VERSION = 1
OPTIONAL = ("left_out", "flags")  # written only when not empty (older specs have neither)


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
    left_out: dict[str, str] = field(default_factory=dict)  # constant in training: why
    flags: list[str] = field(default_factory=list)  # numeric, 0/1 (flag_columns): read as flags

    @property
    def feature_names(self) -> list[str]:
        """Column order of the model matrix."""
        one_hot = [f"{col}={level}" for col, levels in self.categorical.items() for level in levels]
        return [*self.numeric, *self.engineered, *one_hot]

    @property
    def input_columns(self) -> list[str]:
        """Raw columns a record must carry to be scored."""
        return [*self.numeric, *self.categorical]

    @property
    def feature_sources(self) -> dict[str, tuple[str, ...]]:
        """Per model feature, the raw columns it is built from (a one-hot level: its column,
        whatever `=` the column's name holds)."""
        sources = {name: (name,) for name in self.numeric}
        sources |= {name: ENGINEERED[name][0] for name in self.engineered}
        return sources | {
            f"{col}={level}": (col,) for col, levels in self.categorical.items() for level in levels
        }

    def to_json(self) -> str:
        raw = {name: value for name, value in asdict(self).items() if name not in OPTIONAL or value}
        return json.dumps(raw, indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str, where: str = "feature spec") -> FeatureSpec:
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as error:
            raise ChurnError(f"{where}: not a valid feature spec ({error})") from error
        version = raw.get("version") if isinstance(raw, dict) else None
        if type(version) is int and version != SPEC_VERSION:  # a spec of other code
            raise ChurnError(f"{where}: unsupported feature spec version {version}")
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


def version_problem(raw: dict) -> str | None:
    """Why a spec's version field is no version: absent, or not a whole number."""
    if "version" not in raw:
        return "missing"
    version = raw["version"]
    return (
        None
        if type(version) is int
        else f"expected {SPEC_VERSION}, got a JSON {json_kind(version)}"
    )


def spec_problem(raw: object) -> str | None:
    """What makes parsed JSON no feature spec, as "field: why"; None when it is one."""
    if not isinstance(raw, dict):
        return f"expected a JSON object, got a JSON {json_kind(raw)}"
    known = [spec_field.name for spec_field in fields(FeatureSpec)]
    unknown = [name for name in raw if name not in known]
    absent = [name for name in ("numeric", "categorical", "engineered") if name not in raw]
    if unknown or absent:
        return f"{(unknown or absent)[0]}: {'not a field' if unknown else 'missing'}"
    problems = {"version": version_problem(raw)}
    problems |= {name: names_problem(raw.get(name, []), "names") for name in
                 ("numeric", "engineered", "excluded", "flags")}  # fmt: skip
    for name in ("categorical", "left_out"):
        if not isinstance(raw.get(name, {}), dict):
            problems[name] = f"expected an object, got a JSON {json_kind(raw[name])}"
    if not problems.get("categorical"):
        for column, levels in raw["categorical"].items():
            problems[f"categorical.{column}"] = names_problem(levels, "levels")
    if not problems.get("left_out"):
        problems["left_out"] = names_problem(list(raw.get("left_out", {}).values()), "reasons")
    if not any(problems.values()):
        problems["engineered"] = engineered_problem(raw["engineered"], raw["numeric"])
    found = [f"{name}: {why}" for name, why in problems.items() if why]
    return found[0] if found else None


def is_numeric_column(column: pd.Series) -> bool:
    """Numbers and booleans are numeric features; everything else is categorical."""
    return pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column)


def category_levels(column: pd.Series, min_count: int) -> list[str]:
    """Levels seen at least min_count times (sorted), plus the missing and unknown levels (a
    value written as one of those is no level of its own: the transform reads it as unknown)."""
    counts = column.dropna().astype("string").value_counts()
    frequent = sorted(
        str(level) for level in counts[counts >= min_count].index if level not in (MISSING, UNKNOWN)
    )
    return [*frequent, MISSING, UNKNOWN]


def fit_feature_spec(
    train: pd.DataFrame, excluded: list[str], min_count: int, where: str = "training split"
) -> FeatureSpec:
    """Decide the feature set from the training split only (where: its file, for errors). An
    engineered feature whose name the data already gives a column is not built: the data's
    column is the feature (two features of one name would overwrite one another)."""
    candidates = [col for col in train.columns if col not in excluded]
    numeric = [col for col in candidates if is_numeric_column(train[col])]
    categorical = {
        col: category_levels(train[col], min_count) for col in candidates if col not in numeric
    }
    engineered = [
        name
        for name, (needs, _) in ENGINEERED.items()
        if name not in train.columns and all(col in numeric for col in needs)
    ]
    spec = FeatureSpec(numeric, categorical, engineered, sorted(excluded))
    seen: set[str] = set()
    if twice := next((n for n in spec.feature_names if n in seen or seen.add(n)), None):
        raise ChurnError(f"{where}: two features named {twice!r} (a column, and a level of "
                         "another column as 'column=level'): rename the column")  # fmt: skip
    return spec
