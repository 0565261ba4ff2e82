"""The data contract: each input column's role, type, nullability and allowed values, and
its YAML form (reading is checked field by field)."""

from __future__ import annotations

import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

from churn.errors import ChurnError, read_text
from churn.yaml_files import parse_yaml, yaml_problem

ROLES = ("id", "timestamp", "target", "feature")
SINGLE_ROLES = ("target", "id", "timestamp")  # one column each: the one data.<role> names
TYPES = ("numeric", "categorical", "boolean", "datetime")
CONTRACT_VERSION = 1

FLOAT32_MAX = 3.4028234663852886e38  # numpy.finfo(numpy.float32).max: the model matrix's type


@dataclass(frozen=True)
class ColumnContract:
    """What one column must look like."""

    name: str
    role: str
    type: str
    nullable: bool = True
    min: float | None = None
    max: float | None = None
    categories: list[str] | None = None

    def to_mapping(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None and k != "name"}

    @property
    def bounds(self) -> tuple[float, float]:
        """min and max, within the float32 range (its ends where the contract sets none, or sets
        one beyond them, as a contract inferred from such values does): a larger number is
        infinite in the model matrix (float32)."""
        low = -FLOAT32_MAX if self.min is None else max(self.min, -FLOAT32_MAX)
        return low, FLOAT32_MAX if self.max is None else min(self.max, FLOAT32_MAX)


@dataclass(frozen=True)
class Contract:
    """The columns of the input data, in order."""

    columns: list[ColumnContract]
    version: int = CONTRACT_VERSION
    notes: list[str] = field(default_factory=list)

    def names(self, role: str | None = None) -> list[str]:
        return [c.name for c in self.columns if role is None or c.role == role]

    def column(self, name: str) -> ColumnContract:
        for candidate in self.columns:
            if candidate.name == name:
                return candidate
        raise KeyError(name)

    def to_yaml(self) -> str:
        body = {
            "version": self.version,
            "columns": {c.name: c.to_mapping() for c in self.columns},
        }
        header = "".join(f"# {note}\n" for note in self.notes)
        return header + yaml.safe_dump(body, sort_keys=False, allow_unicode=True)

    @classmethod
    def from_yaml(cls, text: str, where: str = "contract") -> Contract:
        try:
            raw = parse_yaml(text)
        except yaml.YAMLError as error:
            raise ChurnError(f"{where}: not valid YAML ({yaml_problem(error)})") from error
        if raw is None:  # `churn.contract infer ... > FILE` failed: the shell made it empty
            raise ChurnError(f"{where}: empty (did `python -m churn.contract infer` fail?)")
        if not isinstance(raw, dict) or not isinstance(raw.get("columns"), dict):
            raise ChurnError(f"{where}: expected a mapping with a 'columns' section")
        if unknown := sorted(map(str, set(raw) - {"version", "columns"})):  # a misspelt section
            raise ChurnError(
                f"{where}: unknown top-level key(s) {unknown}: a contract has version, columns"
            )
        if raw.get("version") != CONTRACT_VERSION:
            raise ChurnError(f"{where}: unsupported contract version {raw.get('version')!r}")
        columns = [parse_column(name, spec, where) for name, spec in raw["columns"].items()]
        check_single_roles(columns, where)
        return cls(columns)

    @classmethod
    def load(cls, path: Path | str) -> Contract:
        return cls.from_yaml(read_text(path, "contract file not found"), str(path))


def parse_column(name: str, spec: object, where: str) -> ColumnContract:
    """One column entry of the YAML, checked field by field; a name YAML reads as no text (2024,
    true, null) is refused: no column of the data, whose names are text, would be it."""
    if not isinstance(name, str):
        raise ChurnError(
            f"{where}: column name {name!r} is no text to YAML (a {type(name).__name__}): write "
            "it in quotes, as in '2024':"
        )
    if not isinstance(spec, dict):
        raise ChurnError(f"{where}: column '{name}' must be a mapping")
    unknown = set(spec) - {"role", "type", "nullable", "min", "max", "categories"}
    if unknown:
        raise ChurnError(f"{where}: column '{name}' has unknown field(s) {sorted(unknown)}")
    if spec.get("role") not in ROLES:
        raise ChurnError(f"{where}: column '{name}' role must be one of {ROLES}")
    if spec.get("type") not in TYPES:
        raise ChurnError(f"{where}: column '{name}' type must be one of {TYPES}")
    nullable = spec.get("nullable", True)
    if not isinstance(nullable, bool):
        raise ChurnError(
            f"{where}: column '{name}' nullable must be true or false, got {nullable!r}"
        )
    low, high = (range_bound(spec, key, f"{where}: column '{name}'") for key in ("min", "max"))
    if low is not None and high is not None and low > high:
        raise ChurnError(f"{where}: column '{name}' min ({low}) is above max ({high})")
    return ColumnContract(
        name, spec["role"], spec["type"], nullable, low, high, category_list(spec, name, where)
    )


def check_single_roles(columns: list[ColumnContract], where: str) -> None:
    """Refuse a contract giving the target, id or timestamp role to two columns: only the one
    data.<role> names is treated so, the others were checked and trained on as features (an
    old label column: label leakage), with no word said."""
    for role in SINGLE_ROLES:
        holders = [column.name for column in columns if column.role == role]
        if len(holders) > 1:
            raise ChurnError(
                f"{where}: gives the {role} role to {len(holders)} columns "
                f"({', '.join(map(repr, holders))}): one column holds it (data.{role} names "
                "which); give the others the feature role or leave them out"
            )


def _fits_float(value: float) -> bool:
    """False for NaN, infinities and whole numbers beyond the floats' range (math.isfinite of
    10**400 raised OverflowError: a traceback)."""
    return abs(value) <= sys.float_info.max


def range_bound(spec: dict, key: str, what: str) -> float | int | None:
    """The min or max of a column entry: a finite number, on numeric columns only."""
    value = spec.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not _fits_float(value):
        shown = repr(value) if len(repr(value)) <= 40 else f"{repr(value)[:20]}... (too large)"
        raise ChurnError(f"{what} {key} must be a number, got {shown}")
    if spec["type"] != "numeric":
        raise ChurnError(f"{what} {key} applies to numeric columns only, not {spec['type']}")
    return value


def category_list(spec: dict, name: str, where: str) -> list[str] | None:
    """The categories of a column entry as text: a list of values (one value would be split
    into its letters)."""
    categories = spec.get("categories")
    if categories is None:
        return None
    # a null (YAML `~`, `null`, an empty item) became the level "None"; blanks are nullable's
    if not isinstance(categories, list) or any(
        v is None or isinstance(v, dict | list) for v in categories
    ):
        raise ChurnError(
            f"{where}: column '{name}' categories must be a list of values (a missing value is "
            f"no category: set nullable), got {categories!r}"
        )
    if spec["type"] != "categorical" and spec["role"] != "target":  # else never checked
        raise ChurnError(
            f"{where}: column '{name}' categories apply to categorical columns and the target "
            f"only, not {spec['type']}: make the column categorical, or use min and max"
        )
    return [str(level) for level in categories]
