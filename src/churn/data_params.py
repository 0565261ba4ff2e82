"""The data's params: where it is read from (params.yaml section `ingest`), which columns hold the
label, id and snapshot and how CSV files are written (`data`), and what to do when data and
contract disagree (`contract`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from churn.errors import ChurnError, column_hint, listing
from churn.typed_sections import report, require

ROLES = ("target", "id", "timestamp")  # the DataParams fields that name a column
CSV_DELIMITERS = ("auto", ",", ";", "tab", "\t", "|")  # the spellings churn.csv_header reads
GLOB_CHARACTERS = "*?["  # what makes a source a glob (churn.table_sources)
WEB = ("http://", "https://")  # URLs whose ? starts a query string (a presigned URL's token)
UNQUOTABLE = "holds a ' (quote), which dvc.yaml's single-quoted command cannot pass: rename it"


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
        if not self.target.strip():  # id and timestamp may be "" (none); every row has a label
            report(f"key 'data.target' should name the label column, got {self.target!r}")
        if isinstance(self.positive_label, str) and not self.positive_label.strip():
            label = self.positive_label
            report(f"key 'data.positive_label' should be the value meaning churned, got {label!r}")
        for role, name in (("id", self.id), ("timestamp", self.timestamp)):
            if name and not name.strip():  # " " named no column and was taken for one
                report(f"key 'data.{role}' should name a column or be '' (none), got {name!r}")
        if self.delimiter not in CSV_DELIMITERS:
            report(f"data.delimiter must be auto , ; tab or |, got {self.delimiter!r}")
        if self.decimal not in (".", ","):
            report(f"data.decimal must be '.' or ',', got {self.decimal!r}")
        if self.decimal == "," and self.delimiter == ",":
            report("data.decimal ',' needs another data.delimiter (auto, ; tab |)")
        if "'" in self.contract:
            report(f"key 'data.contract' {UNQUOTABLE}, got {self.contract!r}")
        self.check_shared_columns()

    def check_shared_columns(self) -> None:
        """Report two roles naming one column (data.id: churned): the label read as an id."""
        roles: dict[str, str] = {}
        for role in ROLES:
            name = getattr(self, role)
            if name and name in roles:
                report(
                    f"data.{roles[name]} and data.{role} both name column {name!r}: "
                    "each role needs its own column"
                )
            roles.setdefault(name, role)


@dataclass(frozen=True)
class IngestParams:
    source: str
    files: str = ""  # glob of the files to read in source (a folder); "" = every table file

    def __post_init__(self) -> None:
        if problem := source_problem(self.source):
            report(f"key 'ingest.source' {problem}, got {self.source!r}")
        if "'" in self.files:
            report(f"key 'ingest.files' {UNQUOTABLE}, got {self.files!r}")


def source_problem(source: str) -> str | None:
    """Why ingest.source cannot be the ingest stage's DVC dependency and --source argument, or
    None: DVC hashes it as written (no glob, no ~) and dvc.yaml passes it in single quotes."""
    if not source.strip():
        return "should name the file, folder or URL to read"
    if source.startswith("~"):
        return "starts with ~, which is not expanded: write the full path"
    if "'" in source:
        return UNQUOTABLE
    path = source.split("?", 1)[0] if source.startswith(WEB) else source  # ?query: no glob
    if any(c in path for c in GLOB_CHARACTERS) and not Path(source).exists():
        folder, pattern = glob_parts(source)
        folder = folder or "."
        return (
            f"is a glob, which DVC cannot track: put the folder in ingest.source ({folder!r}) "
            f"and the pattern in ingest.files ({pattern!r})"
        )
    return None


def glob_parts(source: str) -> tuple[str, str]:
    """(folder, pattern) of a glob: the folder ("" or ending in "/") ends before the first
    wildcard's path segment."""
    first = min(source.index(c) for c in GLOB_CHARACTERS if c in source)
    cut = source.rfind("/", 0, first) + 1
    return source[:cut], source[cut:]


def check_data_columns(
    columns: Iterable[object], data: DataParams, where: str, roles: Iterable[str] = ROLES
) -> None:
    """Refuse data that lacks a column data.target, data.id or data.timestamp names ("" = none),
    naming the key and the closest column the data has."""
    if absent := absent_role_columns(columns, data, roles):
        role, name, hint = absent[0]
        raise ChurnError(f"{where}: column '{name}' (data.{role}) not found{hint}")


def check_label_column(frame: Any, data: DataParams, where: str, one_class: bool = False) -> None:
    """Refuse a frame without the data.target column, or whose labels check_labels refuses (one
    class only is allowed with one_class: a test month may hold no churner)."""
    check_data_columns(frame.columns, data, where, roles=("target",))
    check_labels(frame[data.target], where, one_class)


def check_labels(labels: Any, where: str, one_class: bool = False) -> None:
    """Refuse a data.target column (a pandas Series) holding anything but the 0/1 labels validate
    writes, naming the values seen (a text column named as the label: data.target: plan), or
    one class only (unless one_class)."""
    values = sorted(labels.dropna().unique(), key=str)
    if not (labels.dtype.kind in "biuf" and set(values) <= {0, 1}):
        seen = listing([repr(v) if isinstance(v, str) else str(v) for v in values])
        raise ChurnError(
            f"{where}: column '{labels.name}' (data.target) holds {seen}, not 0/1 labels: "
            "data.target should name the label column (validate maps data.positive_label to 1)"
        )
    if len(values) < 2 and not one_class:
        raise ChurnError(
            f"{where}: column '{labels.name}' (data.target) holds one class only, "
            f"{labels.value_counts().to_dict()}: check data.positive_label and the source data"
        )


def absent_role_columns(
    columns: Iterable[object], data: DataParams, roles: Iterable[str] = ROLES
) -> list[tuple[str, str, str]]:
    """(role, column name, a hint or "": see column_hint) for each column data.target, data.id
    or data.timestamp names ("" = none) that columns lack."""
    present = [str(column) for column in columns]
    return [
        (role, name, column_hint(name, present))
        for role in roles
        if (name := getattr(data, role)) and name not in present
    ]


def contract_location(params: Path, named: str, given: Path | None = None) -> Path:
    """The contract file to read: the one given (CHURN_CONTRACT), else data.contract relative
    to the folder of params.yaml (the repository root), whatever the working directory."""
    return given or Path(params).parent / named


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
                report(f"contract.{name} must be one of {options}, got {value!r}")
