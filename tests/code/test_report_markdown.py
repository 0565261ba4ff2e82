"""report.md from crafted inputs: tables, params, images, data sections and missing pieces."""

from __future__ import annotations

from churn.comparison import MetricRow, ParamRow
from churn.report_markdown import ReportInputs, render_report

FILE = "metrics/evaluate/metrics.json"


def inputs(**changes) -> ReportInputs:
    base = {
        "base": "origin/main",
        "new": "workspace",
        "verdict": "ROC AUC +0.0100 (0.8000 → 0.8100), no metric worse than its tolerance",
        "metrics": [
            MetricRow(FILE, "test.roc_auc", 0.80, 0.81),
            MetricRow(FILE, "test.brier", 0.14, 0.15),
            MetricRow(FILE, "confusion.tp", 100, 90),
        ],
        "params": [ParamRow("params.yaml", "train.max_depth", 4, 2)],
        "images": {"ROC curve (test)": "roc.png"},
    }
    return ReportInputs(**(base | changes))


def test_report_has_verdict_tables_params_and_relative_images():
    text = render_report(inputs())
    assert text.startswith(
        "# Model report: `workspace` vs `origin/main`\n\n**Verdict:** ROC AUC +0.01"
    )
    assert "| test.roc_auc | 0.8000 | 0.8100 | +0.0100 | +1.3% | ✅ better |" in text
    assert "| test.brier | 0.1400 | 0.1500 | +0.0100 | +7.1% | ❌ worse |" in text
    assert "| confusion.tp | 100 | 90 | -10 | -10.0% |  |" in text
    assert "| train.max_depth | 4 | 2 |" in text
    assert "![ROC curve (test)](roc.png)" in text
    assert "## Data" not in text and "## Not available" not in text


def test_first_report_without_base_metrics_plots_or_params():
    text = render_report(
        inputs(
            metrics=[MetricRow(FILE, "test.roc_auc", None, 0.81)],
            params=[],
            images={},
            missing=["ROC curve (test): `roc.json` missing in base"],
        )
    )
    assert "| test.roc_auc | — | 0.8100 | — | — | new metric |" in text
    assert "No params changed." in text
    assert "## Plots" not in text
    assert "## Not available\n\n- ROC curve (test): `roc.json` missing in base" in text


def test_no_metrics_at_all_is_stated():
    assert "No metrics found in either revision." in render_report(inputs(metrics=[]))


def test_data_sections_when_the_files_exist():
    data = {
        "validation": {
            "rows_in": 100,
            "rows_valid": 97,
            "rows_quarantined": 3,
            "quarantined_by_reason": {"age: below min": 3},
            "coerced": {},
        },
        "schema": {"added": ["time_spent"], "missing": [], "retyped": [], "new_categories": {}},
        "drift": {
            "drift": True,
            "reason": "2 of 4 features drifted",
            "share_drifted": 0.5,
            "reference_rows": 1000,
            "current_rows": 500,
            "features": {
                "age": {"type": "numeric", "psi": 0.31, "drifted": True},
                "plan": {"type": "categorical", "psi": 0.01, "drifted": False},
            },
        },
    }
    text = render_report(inputs(data=data))
    assert "| 100 | 97 | 3 |" in text
    assert "Quarantined by reason: age: below min: 3" in text
    assert "- added: `time_spent`" in text and "- missing: none" in text
    assert "**drift detected**: 2 of 4 features drifted" in text
    assert "| age | numeric | 0.3100 |" in text and "| plan |" not in text


def test_absent_data_files_are_skipped():
    text = render_report(inputs(data={"validation": None, "schema": None, "drift": None}))
    assert "## Data" not in text
