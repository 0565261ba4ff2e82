"""Markdown for the pull-request report: pure functions from compared data to text."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from churn.comparison import (
    MetricRow,
    ParamRow,
    capped_list,
    format_change,
    format_value,
    is_count,
    mark,
    param_line,
)
from churn.markdown_text import code_span, plain_text, prose_text, table_text
from churn.report_drift import drift_section
from churn.report_fit import fit_comment

DETAIL_PREFIXES = ("slices.", "confusion.")
LISTED = 20  # names listed per schema change, the rest counted
SCHEMA_FILE = "metrics/schema.json"


@dataclass(frozen=True)
class ReportInputs:
    base: str
    new: str
    verdict: str
    metrics: Sequence[MetricRow]
    params: Sequence[ParamRow]
    images: Mapping[str, str]  # title -> PNG path relative to report.md
    data: Mapping[str, Any] = field(default_factory=dict)  # validation/schema/drift JSON or None
    missing: Sequence[str] = ()  # one sentence per piece that could not be shown
    drift_thresholds: Mapping[str, float] = field(default_factory=dict)  # params.yaml drift
    challenge: Sequence[str] = ()  # markdown lines: report_challenge.challenge_section


def metric_table(rows: Sequence[MetricRow]) -> list[str]:
    """A markdown table: base, new, absolute and relative change, better/worse mark."""
    lines = ["| metric | base | new | change | relative | |", "|---|---:|---:|---:|---:|---|"]
    for row in rows:
        lines.append(
            f"| {table_text(row.key)} | {format_value(row.base)} | {format_value(row.new)} "
            f"| {format_change(row.change, count=is_count(row))} "
            f"| {format_change(row.relative, percent=True)} "
            f"| {mark(row)} |"
        )
    return lines


def metrics_section(rows: Sequence[MetricRow]) -> list[str]:
    """Headline metrics per file, with slices and confusion counts folded away."""
    lines = ["## Metrics", ""]
    if not rows:
        return [*lines, "No metrics found in either revision.", ""]
    for file in sorted({row.file for row in rows}):
        in_file = [row for row in rows if row.file == file]
        main = [row for row in in_file if not row.key.startswith(DETAIL_PREFIXES)]
        detail = [row for row in in_file if row.key.startswith(DETAIL_PREFIXES)]
        lines += [f"`{file}`", "", *metric_table(main), ""]
        if detail:
            lines += ["<details><summary>Slices and confusion counts</summary>", ""]
            lines += [*metric_table(detail), "", "</details>", ""]
    return lines


def params_section(rows: Sequence[ParamRow]) -> list[str]:
    lines = ["## Params changed", ""]
    if not rows:
        return [*lines, "No params changed.", ""]
    lines += ["| param | base | new |", "|---|---:|---:|"]
    lines += [param_line(row) for row in rows]
    return [*lines, ""]


def plots_section(images: Mapping[str, str]) -> list[str]:
    if not images:
        return []
    lines = ["## Plots (base dashed, new solid)", ""]
    for title, path in images.items():
        lines += [f"### {title}", "", f"![{title}]({path})", ""]
    return lines


def validation_section(counts: Mapping[str, Any]) -> list[str]:
    lines = ["### Validation", "", "| rows in | valid | quarantined |", "|---:|---:|---:|"]
    lines.append(
        f"| {format_value(counts.get('rows_in'))} | {format_value(counts.get('rows_valid'))} "
        f"| {format_value(counts.get('rows_quarantined'))} |"
    )
    for title, key in (("Quarantined by reason", "quarantined_by_reason"), ("Coerced", "coerced")):
        if counts.get(key):
            pairs = sorted(counts[key].items())
            items = ", ".join(f"{plain_text(name)}: {plain_text(value)}" for name, value in pairs)
            lines += ["", f"{title}: {items}"]
    return [*lines, ""]


def schema_section(schema: Mapping[str, Any]) -> list[str]:
    lines = ["### Schema changes", ""]
    for key in ("added", "missing", "retyped"):
        names = [code_span(name) for name in schema.get(key) or []]
        lines.append(f"- {key}: {capped_list(names, LISTED, SCHEMA_FILE) or 'none'}")
    for column, levels in sorted((schema.get("new_categories") or {}).items()):
        shown = capped_list([plain_text(level) for level in levels], LISTED, SCHEMA_FILE)
        lines.append(f"- new categories in {code_span(column)}: {shown}")
    return [*lines, ""]


def data_section(data: Mapping[str, Any], drift_thresholds: Mapping[str, float]) -> list[str]:
    """Validation, schema and drift, for each file the revision has."""
    sections = {
        "validation": validation_section,
        "schema": schema_section,
        "drift": lambda drift: drift_section(drift, drift_thresholds),
    }
    present = [name for name in sections if isinstance(data.get(name), dict)]
    if not present:
        return []
    lines = ["## Data", ""]
    for name in present:
        lines += sections[name](data[name])
    return lines


def different_rows_note(rows: Sequence[MetricRow], base: str, new: str) -> list[str]:
    """A warning when the two revisions were evaluated on different test rows (their counts or
    churn rates differ, e.g. after new data): each metric's change is then as much the rows as
    the model, and only `make challenge` compares the models on the same rows."""
    split = {row.key: row for row in rows if row.key in ("test.rows", "test.churn_rate")}
    if not any(row.change for row in split.values()):  # None (one side only) or 0: no evidence
        return []
    counts = {side: getattr(split.get("test.rows"), side, None) for side in ("base", "new")}
    rates = {side: getattr(split.get("test.churn_rate"), side, None) for side in ("base", "new")}
    sides = {
        side: f"{format_value(counts[side])} test rows (churn rate {format_value(rates[side])})"
        for side in ("base", "new")
    }
    return [
        f"**Different test rows:** the metrics of {code_span(base)} are on {sides['base']}, those "
        f"of {code_span(new)} on {sides['new']}: each change below is as much the data as the "
        "model; `make challenge` scores both models on the same rows.",
        "",
    ]


def render_report(inputs: ReportInputs) -> str:
    """The whole report.md."""
    lines = [
        f"# Model report: {code_span(inputs.new)} vs {code_span(inputs.base)}",
        "",
        f"**Verdict:** {prose_text(inputs.verdict)}",
        "",
        # with a challenge the verdict is on the same rows, and its section says so
        *(inputs.challenge or different_rows_note(inputs.metrics, inputs.base, inputs.new)),
        *metrics_section(inputs.metrics),
        *params_section(inputs.params),
        *plots_section(inputs.images),
        *data_section(inputs.data, inputs.drift_thresholds),
    ]
    if inputs.missing:
        lines += ["## Not available", "", *[f"- {item}" for item in inputs.missing], ""]
    return "\n".join(fit_comment(lines)).rstrip() + "\n"


def without_images(report: str) -> str:
    """The report for the run's summary page, which cannot show report.md's images (relative
    links to files CML uploads only for the comment): each image named instead."""
    image = re.compile(r"^!\[([^\]]*)\]\([^)]*\)$", re.MULTILINE)
    where = "see the pull-request comment (none on a fork's pull request) or report/ where built"
    return image.sub(rf"*\1: a plot, not shown here: {where}*", report)
