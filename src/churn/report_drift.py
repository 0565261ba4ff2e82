"""The report's drift section: the features the model uses that drifted, each with the statistic
that made it drift, the most consequential first; columns the model does not use apart."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from churn.comparison import capped_list, format_value
from churn.drift_decision import drifted_on, effect
from churn.markdown_text import code_span, prose_text, table_text
from churn.params import DriftParams

TOP_DRIFTED = 10
# drift.json's per-feature statistics, in table order, with their column titles
EFFECTS = {"psi": "PSI", "wasserstein": "Wasserstein", "js": "JS", "unseen_share": "unseen share"}
MISSING_RATE = "missing_rate_change"
TITLES = EFFECTS | {MISSING_RATE: "missing-rate change"}
DISTANCES = ("psi", "wasserstein", "js")
STATISTICS = {*TITLES, "importance", "p_value", "missing_p_value"}


def statistic(row: Mapping[str, Any], key: str) -> float:
    """The row's statistic as a number (0 when absent or null: strict JSON has no NaN)."""
    value = row.get(key)
    return float(value) if isinstance(value, int | float) else 0.0


def judged_by(thresholds: Mapping[str, float]) -> DriftParams | None:
    """params.yaml's drift section as the drift stage reads it (None when not given: no marks);
    read once per report, every row judged by it."""
    return DriftParams(**thresholds) if thresholds else None


def numeric_row(row: Mapping[str, Any]) -> dict[str, float]:
    """The row's statistics as numbers (strict JSON writes NaN as null), absent ones left out."""
    return {key: statistic(row, key) for key in row if key in STATISTICS}


def over_threshold(row: Mapping[str, Any], params: DriftParams | None) -> list[str]:
    """The statistics over their thresholds, as the drift stage judges them
    (drift_decision.drifted_on)."""
    return drifted_on(numeric_row(row), params) if params else []


def weighted_effect(row: Mapping[str, Any], params: DriftParams | None) -> float:
    """The effect the drift stage weighs (drift_decision.effect) times the model's importance
    share: how much the drift can matter."""
    largest = (
        effect(numeric_row(row), params)
        if params
        else max(statistic(row, key) for key in DISTANCES)
    )
    return largest * statistic(row, "importance")


def reasons(row: Mapping[str, Any], params: DriftParams | None) -> str:
    """Why the row counts as drifted, in words, for the "drifted on" column."""
    found = ["new column"] if row.get("new_column") else []
    found += [TITLES[key] for key in over_threshold(row, params)]
    return ", ".join(found) or "no statistic over the current params' thresholds"


def feature_row(name: str, row: Mapping[str, Any], params: DriftParams | None) -> str:
    """One table row: every statistic drift.json has for the feature, those that drifted bold."""
    marked = over_threshold(row, params)
    cells = [table_text(name), reasons(row, params), format_value(row.get("importance"))]
    for key in TITLES:
        text = format_value(row.get(key))
        cells.append(f"**{text}**" if key in marked else text)
    score = weighted_effect(row, params)
    weighted = format_value(round(score, 6))
    heavy = params is not None and score > params.weighted and row.get("drifted")
    cells.append(f"**{weighted}**" if heavy else weighted)
    return "| " + " | ".join(cells) + " |"


def threshold_texts(params: DriftParams | None) -> list[str]:
    """Each statistic's threshold as the caption shows it (none without params)."""
    if params is None:
        return []
    limits = [
        f"{title} {'±' if key == MISSING_RATE else ''}{getattr(params, key):g}"
        for key, title in TITLES.items()
    ]
    return [*limits, f"effect × importance {params.weighted:g}"]


def caption(shown: int, drifted: int, used: int, params: DriftParams | None) -> str:
    """What the table holds, its order, and the thresholds its bold marks compare against."""
    limits = threshold_texts(params)
    which = f"the {shown} with the largest" if shown < drifted else "largest"
    return (
        f"{drifted} of the {used} features the model uses drifted ({which} effect × importance "
        f"first; all in `metrics/drift.json`). **Bold**: over its threshold in params.yaml's "
        f"drift section ({', '.join(limits)})."
    )


def ignored_line(rows: Mapping[str, Mapping[str, Any]], params: DriftParams | None) -> str:
    """The drifted columns the model does not use (not counted), with what changed in them."""
    named = []
    for name, row in sorted(rows.items()):
        keys = over_threshold(row, params)
        changes = [f"{TITLES[key]} {format_value(row.get(key))}" for key in keys]
        named.append(f"{code_span(name)} ({', '.join(changes) or reasons(row, params)})")
    listed = capped_list(named, TOP_DRIFTED, "metrics/drift.json", separator="; ")
    return f"Drifted but not used by the model, so not counted above: {listed}"


def table_header() -> list[str]:
    titles = " | ".join(["drifted feature", "drifted on", "importance", *TITLES.values()])
    return [f"| {titles} | effect × importance |", "|---|---|" + "---:|" * (len(TITLES) + 2)]


def drift_table(drift: Mapping[str, Any], params: DriftParams | None) -> list[str]:
    """The table of drifted features the model uses, then the drifted columns it does not use."""
    features = drift.get("features") or {}
    used = {name: row for name, row in features.items() if not row.get("ignored_column")}
    drifted = sorted(
        ((name, row) for name, row in used.items() if row.get("drifted")),
        key=lambda item: (
            -weighted_effect(item[1], params),
            -statistic(item[1], "importance"),
            item[0],
        ),
    )
    lines = []
    if drifted:
        shown = drifted[:TOP_DRIFTED]
        lines += [caption(len(shown), len(drifted), len(used), params), "", *table_header()]
        lines += [feature_row(name, row, params) for name, row in shown] + [""]
    ignored = {n: r for n, r in features.items() if r.get("ignored_column") and r.get("drifted")}
    return [*lines, ignored_line(ignored, params), ""] if ignored else lines


def drift_section(drift: Mapping[str, Any], thresholds: Mapping[str, float]) -> list[str]:
    """The stage's verdict and reason, then the table of what drifted."""
    verdict = "**drift detected**" if drift.get("drift") else "no drift"
    return [
        "### Drift",
        "",
        f"{verdict}: {prose_text(str(drift.get('reason', '')))} (share of drifted features "
        f"{format_value(drift.get('share_drifted'))}; reference rows "
        f"{format_value(drift.get('reference_rows'))}, current rows "
        f"{format_value(drift.get('current_rows'))})",
        "",
        *drift_table(drift, judged_by(thresholds)),
    ]
