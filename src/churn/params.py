"""Typed view of params.yaml: one dataclass per section, loaded and checked in one place."""

from __future__ import annotations

import dataclasses
import difflib
import math
import types
import typing
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml

from churn.errors import ChurnError, read_text

PARAMS_FILE = Path("params.yaml")
T = TypeVar("T")
# libyaml's parser when PyYAML was built with it: the same safe subset, about ten times faster.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class UniqueKeyLoader(YAML_LOADER):  # type: ignore[misc, valid-type]
    """The safe loader, refusing a key given twice in one mapping (PyYAML would keep the last
    silently: a contract column or a param defined twice)."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, typing.Hashable):
                continue  # the base class refuses it
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping", node.start_mark,
                    f"found the key {key!r} twice", key_node.start_mark,
                )  # fmt: skip
            seen.add(key)
        return super().construct_mapping(node, deep)


def parse_yaml(text: str | bytes) -> Any:
    """yaml.safe_load through libyaml when available; a key repeated in a mapping is an error."""
    return yaml.load(text, Loader=UniqueKeyLoader)


@dataclass(frozen=True)
class BaseParams:
    seed: int


@dataclass(frozen=True)
class GenerateParams:
    customers: int
    scale: float
    start_month: str
    months: int
    video_tutorials_from_month: int
    seed: int


def yaml_problem(error: yaml.YAMLError) -> str:
    """A PyYAML error as one line: its kind, where (1-based line and column) and what, with
    where the construct it broke began ("while parsing a flow sequence from line 4 ...")."""
    text = type(error).__name__ + mark_text(getattr(error, "problem_mark", None), " at")
    problem, context = getattr(error, "problem", None), getattr(error, "context", None)
    if problem:
        text += f": {' '.join(str(problem).split())}"
    if context:
        where = mark_text(getattr(error, "context_mark", None), " from")
        text += f" ({' '.join(str(context).split())}{where})"
    if isinstance(error, yaml.reader.ReaderError):  # no marks: a character offset
        text += f" at character {error.position + 1}: {error.reason}"
    return text


def mark_text(mark: Any, word: str) -> str:
    """The 1-based line and column of a PyYAML mark after word; "" without a mark."""
    return f"{word} line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""


def did_you_mean(name: str, choices: Iterable[object]) -> str:
    """A hint naming the choice closest to name, or "" when none is close."""
    guess = difflib.get_close_matches(name, [str(choice) for choice in choices], n=1)
    return f" (did you mean '{guess[0]}'?)" if guess else ""


class ParamsValueError(ChurnError):
    """A params value the code cannot use; naming_params_file adds the file it came from."""


@contextmanager
def naming_params_file(path: Path | str) -> Iterator[None]:
    """Report a ParamsValueError raised inside as "PATH: message", PATH the params file read."""
    try:
        yield
    except ParamsValueError as error:
        raise ChurnError(f"{path}: {error}") from error


def require(ok: bool, key: str, wanted: str, value: object) -> None:
    """A ParamsValueError naming the key when a value is out of its range."""
    if not ok:
        raise ParamsValueError(f"key '{key}' should be {wanted}, got {value!r}")


CSV_DELIMITERS = ("auto", ",", ";", "tab", "\t", "|")  # the spellings churn.tables reads


@dataclass(frozen=True)
class DataParams:
    target: str
    positive_label: int | str | bool
    id: str
    timestamp: str
    contract: str = ""  # path of the data contract YAML; "" = infer one from the data
    delimiter: str = "auto"  # CSV files: auto (sniffed from the header line) | , | ; | tab | "|"
    decimal: str = "."  # CSV files: "." or "," (then "." may separate thousands: 1.234,5)

    def __post_init__(self) -> None:
        if self.delimiter not in CSV_DELIMITERS:
            raise ParamsValueError(
                f"data.delimiter must be auto , ; tab or |, got {self.delimiter!r}"
            )
        if self.decimal not in (".", ","):
            raise ParamsValueError(f"data.decimal must be '.' or ',', got {self.decimal!r}")
        if self.decimal == "," and self.delimiter == ",":
            raise ParamsValueError("data.decimal ',' needs another data.delimiter (auto, ; tab |)")


ROLES = ("target", "id", "timestamp")  # the DataParams fields that name a column


def check_data_columns(
    columns: Iterable[object], data: DataParams, where: str, roles: Iterable[str] = ROLES
) -> None:
    """Refuse data that lacks a column data.target, data.id or data.timestamp names ("" = none),
    naming the key and the closest column the data has."""
    present = [str(column) for column in columns]
    for role in roles:
        name = getattr(data, role)
        if name and name not in present:
            hint = did_you_mean(name, present)
            raise ChurnError(f"{where}: column '{name}' (data.{role}) not found{hint}")


def ids_of(data: DataParams) -> list[str]:
    """The id column in a list (empty without one): read verbatim, never as a number."""
    return [data.id] if data.id else []


POLICY_CHOICES = {
    "new_column": ("ignore", "include", "fail"),
    "missing_column": ("fail", "impute"),
    "type_change": ("fail", "quarantine"),
}


@dataclass(frozen=True)
class Policies:
    """What to do when the data and the contract disagree (params.yaml section `contract`)."""

    new_column: str = "ignore"
    missing_column: str = "fail"
    type_change: str = "fail"
    max_quarantined: float = 0.5  # validate stops when it quarantines a larger share of rows

    def __post_init__(self) -> None:
        share = self.max_quarantined
        require(0 <= share <= 1, "contract.max_quarantined", "between 0 and 1", share)
        for name, choices in POLICY_CHOICES.items():
            if getattr(self, name) not in choices:
                value = getattr(self, name)
                options = "|".join(choices)
                raise ChurnError(f"contract.{name} must be one of {options}, got {value!r}")


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
        require(
            self.small_sample_rows >= 0,
            "drift.small_sample_rows",
            "0 or more",
            self.small_sample_rows,
        )
        require(0 < self.p_value < 1, "drift.p_value", "between 0 and 1", self.p_value)
        for name in ("psi", "wasserstein", "js", "missing_rate_change", "weighted"):
            require(getattr(self, name) > 0, f"drift.{name}", "above 0", getattr(self, name))
        for name in ("unseen_share", "share_drifted"):
            value = getattr(self, name)
            require(0 < value <= 1, f"drift.{name}", "in (0, 1]", value)


@dataclass(frozen=True)
class IngestParams:
    source: str


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


@dataclass(frozen=True)
class GateParams:
    headline: str
    tolerances: dict[str, float]


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


def _accepts(annotation: Any, value: Any) -> bool:
    """Whether value fits the annotation; ints count as floats, bools never as ints."""
    options = (
        typing.get_args(annotation) if isinstance(annotation, types.UnionType) else (annotation,)
    )
    for option in options:
        if option is float and isinstance(value, int | float) and not isinstance(value, bool):
            return True
        if option is int and isinstance(value, int) and not isinstance(value, bool):
            return True
        if option in (str, bool) and isinstance(value, option):
            return True
        if typing.get_origin(option) is dict and isinstance(value, dict):
            value_type = typing.get_args(option)[1]
            return all(isinstance(k, str) and _accepts(value_type, v) for k, v in value.items())
        if typing.get_origin(option) is list and isinstance(value, list):
            return all(_accepts(typing.get_args(option)[0], item) for item in value)
    return False


def is_finite(value: Any) -> bool:
    """False when value, or a number inside a list or mapping value, is infinite or NaN."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict | list):
        return all(map(is_finite, value.values() if isinstance(value, dict) else value))
    return True


def section_from_mapping(cls: type[T], name: str, raw: Any, source: Path = PARAMS_FILE) -> T:
    """Build one section dataclass, failing with a message that names the file and the key."""
    if not isinstance(raw, dict):
        raise ChurnError(f"{source}: section '{name}' is missing or not a mapping")
    hints = typing.get_type_hints(cls)
    known = [field.name for field in dataclasses.fields(cls)]  # type: ignore[arg-type]
    for key in raw:
        if key not in known:
            guess = difflib.get_close_matches(str(key), known, n=1)
            hint = f" (did you mean '{name}.{guess[0]}'?)" if guess else ""
            raise ChurnError(f"{source}: unknown key '{name}.{key}'{hint}")
    values = {}
    for field in dataclasses.fields(cls):  # type: ignore[arg-type]
        if field.name not in raw:
            raise ChurnError(f"{source}: missing key '{name}.{field.name}'")
        value = raw[field.name]
        if not _accepts(hints[field.name], value):
            expected = getattr(hints[field.name], "__name__", str(hints[field.name]))
            raise ChurnError(
                f"{source}: key '{name}.{field.name}' should be {expected}, got {value!r}"
            )
        if not is_finite(value):
            raise ChurnError(
                f"{source}: key '{name}.{field.name}' should be a finite number, got {value!r}"
            )
        values[field.name] = float(value) if hints[field.name] is float else value
    with naming_params_file(source):
        return cls(**values)


def field_defaults(cls: type) -> dict[str, Any]:
    """The fields of a section dataclass that have a default, with it."""
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    return {f.name: f.default for f in fields if f.default is not dataclasses.MISSING}


def read_params_file(path: Path = PARAMS_FILE) -> dict[str, Any]:
    """Read params.yaml as a plain mapping."""
    text = read_text(path)
    try:
        raw = parse_yaml(text)
    except yaml.YAMLError as error:
        raise ChurnError(f"{path}: not valid YAML ({yaml_problem(error)})") from error
    if not isinstance(raw, dict):
        raise ChurnError(f"{path}: expected a mapping of sections")
    return raw


def check_section_names(raw: dict[str, Any], path: Path) -> None:
    """Refuse a section whose name is a near miss of a known one ("trian:"); others are the
    user's own and left alone."""
    for section in raw:
        if section not in SECTIONS:
            guess = difflib.get_close_matches(str(section), list(SECTIONS), n=1, cutoff=0.75)
            if guess:
                raise ChurnError(
                    f"{path}: unknown section '{section}' (did you mean '{guess[0]}'?)"
                )


def load_section(name: str, path: Path = PARAMS_FILE) -> Any:
    """Load one typed section of params.yaml by name, e.g. load_section("train")."""
    raw = read_params_file(path)
    check_section_names(raw, path)
    return section_from_mapping(SECTIONS[name], name, raw.get(name), path)
