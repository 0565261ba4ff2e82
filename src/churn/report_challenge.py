"""The report's champion-and-challenger section, from churn.challenge's JSON."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from churn.comparison import MetricRow
from churn.report_markdown import metric_table


def challenge_rows(written: Mapping[str, Any]) -> list[MetricRow]:
    """The JSON's metrics as rows: base = the champion, new = the challenger."""
    return [
        MetricRow("challenge", item["key"], item.get("champion"), item.get("challenger"))
        for item in written.get("metrics") or []
    ]


def challenge_section(written: Mapping[str, Any]) -> list[str]:
    """Both models on the same rows (the report's verdict: they decide): the versions, the
    rejected counts, the table; the metrics section below compares each revision's own test."""
    versions = written.get("versions") or {}
    lines = ["## Champion and challenger on the same rows", ""]
    lines += [
        f"- {side}: `{versions[side]}`" for side in ("champion", "challenger") if side in versions
    ]
    rejected = written.get("rejected") or {}
    if any(rejected.values()):
        counts = ", ".join(f"{side} {count:,}" for side, count in rejected.items())
        lines.append(f"- rows a model's contract rejected (left out of the comparison): {counts}")
    rows = challenge_rows(written)
    if rows:
        lines += ["", "base = the champion, new = the challenger", "", *metric_table(rows)]
    note = "The metrics below are each revision's own, on the test month it was evaluated on."
    return [*lines, "", note, ""]
