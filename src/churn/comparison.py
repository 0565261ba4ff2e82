"""Metric and param changes between a base revision and the new one, with better/worse marks."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from churn.markdown_text import table_text

HIGHER_IS_BETTER = frozenset(
    {"roc_auc", "auc", "pr_auc", "precision", "recall", "f1", "precision_top", "lift_top"}
)
LOWER_IS_BETTER = frozenset({"log_loss", "logloss", "brier"})


@dataclass(frozen=True)
class MetricRow:
    """One metric at both revisions; None where the revision does not have it."""

    file: str
    key: str
    base: float | None
    new: float | None

    @property
    def change(self) -> float | None:
        """new - base; None when either is missing, NaN or infinite (no change to speak of)."""
        if not_finite(self.base) or not_finite(self.new) or None in (self.base, self.new):
            return None
        return self.new - self.base

    @property
    def relative(self) -> float | None:
        if self.change is None or not self.base:
            return None
        return self.change / abs(self.base)


@dataclass(frozen=True)
class ParamRow:
    file: str
    key: str
    base: Any
    new: Any


def not_finite(value: float | None) -> str:
    """ "NaN" or "infinite" for such a value ("" for a finite number or none): a metric that is
    not a number compares with nothing, and the gate must not pass it."""
    if value is None or math.isfinite(value):
        return ""
    return "NaN" if math.isnan(value) else "infinite"


# the training split's own fit (dvclive's train.auc, train.logloss): lower can mean less
# overfitting, so it is shown, never judged better or worse
IN_SAMPLE = "train."


def direction(key: str) -> int:
    """+1 when higher is better, -1 when lower is better, 0 for neutral counts and rates."""
    name = key.rsplit(".", 1)[-1]
    if key.startswith(IN_SAMPLE):  # confusion cells (tn, fp, ...) are neutral by name
        return 0
    if name in HIGHER_IS_BETTER or name.endswith("_auc"):
        return 1
    return -1 if name in LOWER_IS_BETTER or name.endswith("_log_loss") else 0


def improvement(row: MetricRow) -> float | None:
    """The change signed so that positive means better; None for neutral or one-sided rows."""
    if row.change is None or direction(row.key) == 0:
        return None
    return row.change * direction(row.key)


def mark(row: MetricRow) -> str:
    """A short better/worse label for the table; a NaN or infinite new value is flagged whatever
    the base, as the gate fails it (a first report's said "new metric")."""
    if not_finite(row.new):
        return f"⚠ {not_finite(row.new)}"
    if row.base is None:
        return "new metric"
    if row.new is None:
        return "removed"
    gain = improvement(row)
    if gain is None:
        return "in-sample" if row.key.startswith(IN_SAMPLE) else ""
    if f"{gain:+.4f}" in ("+0.0000", "-0.0000"):  # as format_change shows it: no "+0.0000 better"
        return "= same"
    return "✅ better" if gain > 0 else "❌ worse"


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def metric_rows(diff: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> list[MetricRow]:
    """Rows from `dvc metrics diff --json --all`, sorted by file and key; non-numbers skipped."""
    rows = []
    for file, entries in sorted(diff.items()):
        for key, values in sorted(entries.items()):
            base, new = _number(values.get("old")), _number(values.get("new"))
            if base is not None or new is not None:
                rows.append(MetricRow(file, key, base, new))
    return rows


def param_rows(diff: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> list[ParamRow]:
    """Changed params from `dvc params diff --json` output, sorted by file and key."""
    return [
        ParamRow(file, key, values.get("old"), values.get("new"))
        for file, entries in sorted(diff.items())
        for key, values in sorted(entries.items())
        if values.get("old") != values.get("new")
    ]


def has_base(rows: list[MetricRow]) -> bool:
    """Whether the base revision had any metric at all (false on the first pull request)."""
    return any(row.base is not None for row in rows)


def format_value(value: Any) -> str:
    """Numbers with 4 decimals (integers as integers), other values as compact JSON; — for none."""
    if value is None:
        return "—"
    number = _number(value)
    if number is None:
        return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
    if not_finite(number):
        return "NaN" if math.isnan(number) else f"{number:+}"  # +inf, -inf
    return str(int(number)) if number.is_integer() else f"{number:.4f}"


def format_param(value: Any) -> str:
    """A param as params.yaml has it: numbers unrounded (a 1e-06 threshold is not 0.0000), an
    empty text visible, and markdown escaped so that a slice query cannot split the table row."""
    if value is None:
        return "—"
    text = (value or '""') if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
    return table_text(text)


def param_line(row: ParamRow) -> str:
    """A changed param as a markdown table row: name, base value, new value."""
    return f"| {table_text(row.key)} | {format_param(row.base)} | {format_param(row.new)} |"


def capped_list(items: Sequence[str], limit: int, where: str, separator: str = ", ") -> str:
    """At most `limit` items, then how many more and where all of them are: a source that gains
    thousands of columns or categories must not push the report past a comment's size."""
    shown = separator.join(items[:limit])
    more = len(items) - limit
    return f"{shown} … and {more:,} more (all in `{where}`)" if more > 0 else shown


def format_change(value: float | None, percent: bool = False, count: bool = False) -> str:
    """A signed change (whole for counts) or a relative one in percent; — when undefined."""
    if value is None:
        return "—"
    if percent:
        return f"{value * 100:+.1f}%"
    return f"{value:+.0f}" if count and float(value).is_integer() else f"{value:+.4f}"


def is_count(row: MetricRow) -> bool:
    """Neutral whole-number metrics (rows, confusion cells) whose changes print without decimals."""
    values = [value for value in (row.base, row.new) if value is not None]
    return direction(row.key) == 0 and all(float(value).is_integer() for value in values)
