"""Typed view of params.yaml: one dataclass per section, loaded and checked in one place."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from churn.data_params import DataParams, IngestParams, Policies
from churn.errors import ChurnError, read_text
from churn.slice_queries import query_problem
from churn.typed_sections import PARAMS_FILE, report, require, section_from_mapping
from churn.yaml_files import parse_yaml, yaml_problem

MODELS = ("xgboost", "logistic_regression")  # what train.model may name
SEEDS = "from 0 to 2**32 - 1"  # what numpy, scikit-learn and XGBoost all take as a seed
GATE_TOLERANCE = "a number, 0 or more (how much worse the metric may get)"


def check_seed(seed: int, key: str) -> None:
    require(0 <= seed <= 2**32 - 1, key, SEEDS, seed)


def is_month(text: str) -> bool:
    """Whether text is a calendar month written YYYY-MM (2026-01; not 2026-13 or 2026-1)."""
    return bool(re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text))


@dataclass(frozen=True)
class BaseParams:
    seed: int

    def __post_init__(self) -> None:
        check_seed(self.seed, "base.seed")


@dataclass(frozen=True)
class GenerateParams:
    customers: int
    scale: float
    start_month: str
    months: int
    video_tutorials_from_month: int
    seed: int

    def __post_init__(self) -> None:
        check_seed(self.seed, "generate.seed")
        require(self.customers >= 1, "generate.customers", "at least 1", self.customers)
        require(self.scale > 0, "generate.scale", "above 0", self.scale)
        require(is_month(self.start_month), "generate.start_month", "YYYY-MM", self.start_month)
        for name in ("months", "video_tutorials_from_month"):
            require(getattr(self, name) >= 1, f"generate.{name}", "at least 1", getattr(self, name))


@dataclass(frozen=True)
class DriftParams:
    min_rows: int  # smaller batches are refused: the statistics would be noise
    small_sample_rows: int  # below this many rows per side, use p-value tests as well
    p_value: float
    psi: float
    wasserstein: float
    js: float
    unseen_share: float
    missing_rate_change: float
    share_drifted: float  # dataset drift: this share of features drifted...
    weighted: float  # ...or one drifted feature's effect size x importance share above this

    def __post_init__(self) -> None:
        require(self.min_rows >= 1, "drift.min_rows", "at least 1", self.min_rows)
        small = self.small_sample_rows
        require(small >= 0, "drift.small_sample_rows", "0 or more", small)
        require(0 < self.p_value < 1, "drift.p_value", "between 0 and 1", self.p_value)
        for name in ("psi", "wasserstein", "js", "missing_rate_change", "weighted"):
            require(getattr(self, name) > 0, f"drift.{name}", "above 0", getattr(self, name))
        for name in ("unseen_share", "share_drifted"):
            value = getattr(self, name)
            require(0 < value <= 1, f"drift.{name}", "in (0, 1]", value)


@dataclass(frozen=True)
class SplitParams:
    valid_size: float
    test_size: float

    def __post_init__(self) -> None:
        for name in ("valid_size", "test_size"):  # shares, not percentages
            value = getattr(self, name)
            require(0 < value < 1, f"split.{name}", "between 0 and 1", value)


@dataclass(frozen=True)
class FeaturizeParams:
    min_category_count: int

    def __post_init__(self) -> None:
        count = self.min_category_count
        require(count >= 0, "featurize.min_category_count", "0 or more", count)


@dataclass(frozen=True)
class TrainParams:
    model: str
    n_estimators: int
    learning_rate: float
    max_depth: int
    min_child_weight: float
    subsample: float
    colsample_bytree: float
    reg_lambda: float
    early_stopping_rounds: int
    balance_classes: bool
    nthread: int
    monotone_increasing: list[str]
    logreg_c: float

    def __post_init__(self) -> None:
        require(self.model in MODELS, "train.model", " or ".join(MODELS), self.model)
        for name in ("learning_rate", "logreg_c"):
            require(getattr(self, name) > 0, f"train.{name}", "above 0", getattr(self, name))
        for name in ("subsample", "colsample_bytree"):
            value = getattr(self, name)
            require(0 < value <= 1, f"train.{name}", "in (0, 1]", value)
        for name in ("n_estimators", "max_depth", "early_stopping_rounds", "nthread"):
            require(getattr(self, name) >= 1, f"train.{name}", "at least 1", getattr(self, name))
        for name in ("min_child_weight", "reg_lambda"):
            require(getattr(self, name) >= 0, f"train.{name}", "0 or more", getattr(self, name))


@dataclass(frozen=True)
class EvaluateParams:
    threshold: float
    top_fraction: float
    slices: dict[str, str]

    def __post_init__(self) -> None:
        require(0 < self.threshold < 1, "evaluate.threshold", "between 0 and 1", self.threshold)
        share = self.top_fraction
        require(0 < share <= 1, "evaluate.top_fraction", "in (0, 1]", share)
        for name, query in self.slices.items():
            if problem := query_problem(query):
                report(f"key 'evaluate.slices.{name}' {problem}, got {query!r}")


@dataclass(frozen=True)
class GateParams:
    headline: str
    tolerances: dict[str, float]  # below 0, a model that matches its base would fail

    def __post_init__(self) -> None:
        for key, value in self.tolerances.items():
            require(value >= 0, f"gate.tolerances.{key}", GATE_TOLERANCE, value)


SECTIONS: dict[str, type] = {
    "base": BaseParams,
    "generate": GenerateParams,
    "data": DataParams,
    "ingest": IngestParams,
    "split": SplitParams,
    "featurize": FeaturizeParams,
    "train": TrainParams,
    "evaluate": EvaluateParams,
    "gate": GateParams,
    "contract": Policies,
    "drift": DriftParams,
}


def read_params_file(path: Path = PARAMS_FILE) -> dict[str, Any]:
    """Read params.yaml as a plain mapping."""
    return params_from_text(read_text(path), str(path))


def params_from_text(text: str, where: str) -> dict[str, Any]:
    """A params file's text as a plain mapping; errors name `where` (a path, or path@rev)."""
    try:
        raw = parse_yaml(text, as_dvc=True)
    except yaml.YAMLError as error:
        raise ChurnError(f"{where}: not valid YAML ({yaml_problem(error)})") from error
    if not isinstance(raw, dict):
        raise ChurnError(f"{where}: expected a mapping of sections")
    return raw


def check_section_names(raw: dict[str, Any], path: Path) -> None:
    """Refuse a section named like a known one ("trian:"); others are the user's, left alone."""
    for section in (str(name) for name in raw if name not in SECTIONS):
        if guess := difflib.get_close_matches(section, list(SECTIONS), n=1, cutoff=0.75):
            raise ChurnError(f"{path}: unknown section '{section}' (did you mean '{guess[0]}'?)")


def load_section(name: str, path: Path = PARAMS_FILE) -> Any:
    """Load one typed section of params.yaml by name, e.g. load_section("train")."""
    raw = read_params_file(path)
    check_section_names(raw, path)
    return section_from_mapping(SECTIONS[name], name, raw.get(name), path)
