"""The report's champion-and-challenger section, from churn.challenge's JSON."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from churn.comparison import MetricRow
from churn.errors import ChurnError
from churn.outputs import non_finite_replaced
from churn.report_markdown import metric_table
from churn.revision_files import read_at_rev, resolve_rev
from churn.revisions import LOCK_MODEL

# challenge.json is strict JSON (jq and JavaScript refuse a bare NaN): these stand for the numbers
NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def as_strict_json(value: Any) -> Any:
    """The value with each NaN or infinity written as its name in NON_FINITE."""
    return non_finite_replaced(value, non_finite_name)


def non_finite_name(value: float) -> str:
    return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")


def metric_value(value: Any) -> Any:
    """A metric as challenge.json holds it, read back: a name in NON_FINITE as its number."""
    return NON_FINITE.get(value, value) if isinstance(value, str) else value


def challenge_rows(written: Mapping[str, Any]) -> list[MetricRow]:
    """The JSON's metrics as rows: base = the champion, new = the challenger."""
    return [
        MetricRow(
            "challenge",
            item["key"],
            metric_value(item.get("champion")),
            metric_value(item.get("challenger")),
        )
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


def shape_problem(written: Mapping[str, Any]) -> str:
    """What churn.challenge's JSON lacks ("" when nothing): a text verdict and base, versions,
    rejected row counts, and metric entries each with a key and numbers (or null): report's
    table subtracts and formats them."""
    for field, kind in (("verdict", str), ("base", str), ("versions", dict)):
        if not isinstance(written.get(field), kind):
            return f"{field!r} should be {'a text' if kind is str else 'a mapping'}"
    rejected = written.get("rejected", {})
    if not isinstance(rejected, dict) or not all(map(is_count, rejected.values())):
        return "'rejected' should be a mapping of row counts"
    metrics = written.get("metrics", [])
    if not isinstance(metrics, list) or not all(
        isinstance(m, dict) and "key" in m for m in metrics
    ):
        return "'metrics' should be a list of entries with a 'key'"
    if not all(is_metric(m.get(side)) for m in metrics for side in ("champion", "challenger")):
        return "'metrics' entries should give each model's value as a number, NaN, Infinity or null"
    return ""


def is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_metric(value: Any) -> bool:
    """A metric value as churn.challenge writes it: a number, a name in NON_FINITE, or null."""
    if isinstance(value, str):
        return value in NON_FINITE
    return value is None or (isinstance(value, int | float) and not isinstance(value, bool))


def stale_reason(written: Mapping[str, Any], base: str, base_commit: str, md5: str | None) -> str:
    """Why churn.challenge's JSON is not about this report's comparison ("" when it is): its
    champion read at another commit than `base`, or its challenger another model than the one
    reported (md5 of its model file; None: not checked)."""
    versions = written.get("versions") or {}
    champion, challenger = versions.get("champion"), str(versions.get("challenger", ""))
    if champion is not None and str(champion).split("+")[0] != base_commit:
        return (
            f"its champion is `{written.get('base')}` at {champion}, not `{base}` at {base_commit}"
        )
    if champion is None and written.get("base") != base:
        return f"it was made against `{written.get('base')}`, not `{base}`"
    if md5 is not None and challenger.rpartition("+md5:")[2] != md5:
        return f"its challenger is {challenger}, the model reported now has md5 {md5}"
    return ""


def reported_model_md5(new: str | None) -> str | None:
    """The md5 of the model the report shows (the workspace's or new's); None without one."""
    if new is not None:
        return hashlib.md5(read_at_rev(LOCK_MODEL, new)).hexdigest()
    model = Path(LOCK_MODEL)
    return hashlib.md5(model.read_bytes()).hexdigest() if model.is_file() else None


def check_challenge(written: dict, path: Path, base: str, new: str | None) -> None:
    """Refuse a challenge file of another comparison (another base, or a model retrained since):
    its verdict would head this report."""
    if problem := shape_problem(written):
        raise ChurnError(f"{path}: not churn.challenge's output ({problem})")
    if reason := stale_reason(written, base, resolve_rev(base), reported_model_md5(new)):
        raise ChurnError(
            f"{path}: not this report's comparison ({reason}); run `make challenge "
            f"BASE={base}` again"
        )
