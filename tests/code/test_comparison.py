"""Metric rows from `dvc metrics diff` output: direction, better/worse marks, formatting."""

from __future__ import annotations

import pytest

from churn.comparison import (
    MetricRow,
    direction,
    format_change,
    format_value,
    has_base,
    improvement,
    is_count,
    mark,
    metric_rows,
    param_rows,
)

FILE = "metrics/evaluate/metrics.json"


def row(key: str, base: float | None, new: float | None) -> MetricRow:
    return MetricRow(FILE, key, base, new)


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("test.roc_auc", 1),
        ("test.pr_auc", 1),
        ("slices.premium_plan.lift_top", 1),
        ("test.precision_top", 1),
        ("valid.auc", 1),
        ("test.log_loss", -1),
        ("train.logloss", 0),  # in-sample: the training split's own fit
        ("train.auc", 0),
        ("test.brier", -1),
        ("valid_log_loss", -1),  # the saved model's, next to valid_roc_auc
        ("test.rows", 0),
        ("test.churn_rate", 0),
        ("confusion.tp", 0),
        ("boosted_rounds", 0),
    ],
)
def test_direction_knows_which_metrics_are_higher_is_better(key, expected):
    assert direction(key) == expected


def test_improvement_and_regression_are_marked_by_direction():
    assert mark(row("test.roc_auc", 0.80, 0.82)) == "✅ better"
    assert mark(row("test.roc_auc", 0.82, 0.80)) == "❌ worse"
    assert mark(row("test.log_loss", 0.45, 0.40)) == "✅ better"
    assert mark(row("test.brier", 0.14, 0.15)) == "❌ worse"
    assert mark(row("test.rows", 100, 120)) == ""
    # a lower training-split AUC beside a higher test AUC is less overfitting, not worse
    assert mark(row("train.auc", 0.92, 0.84)) == "in-sample"
    assert mark(row("test.f1", 0.5, 0.5)) == "= same"
    # a change the table shows as +0.0000 or -0.0000 is no better or worse there
    assert mark(row("test.pr_auc", 0.485463, 0.485513)) == "= same"
    assert mark(row("test.log_loss", 0.34551, 0.34552)) == "= same"
    assert mark(row("test.pr_auc", 0.4854, 0.4855)) == "✅ better"
    assert improvement(row("test.log_loss", 0.45, 0.40)) == pytest.approx(0.05)


def test_new_and_removed_metrics_have_no_change():
    added, removed = row("test.f2", None, 0.3), row("test.f1", 0.5, None)
    assert (added.change, added.relative, mark(added)) == (None, None, "new metric")
    assert (removed.change, removed.relative, mark(removed)) == (None, None, "removed")


def test_metric_rows_parse_dvc_diff_with_added_removed_and_non_numeric_values():
    diff = {
        FILE: {
            "test.roc_auc": {"old": 0.8, "new": 0.85, "diff": 0.05},
            "test.new_metric": {"old": None, "new": 1.5},
            "test.gone": {"old": 2.0, "new": None},
            "model": {"old": "xgb", "new": "lr"},
        },
        "metrics/train/metrics.json": {"step": {"old": 10, "new": 12, "diff": 2}},
    }
    rows = metric_rows(diff)
    assert [(r.file, r.key) for r in rows] == [
        (FILE, "test.gone"),
        (FILE, "test.new_metric"),
        (FILE, "test.roc_auc"),
        ("metrics/train/metrics.json", "step"),
    ]
    assert rows[2].change == pytest.approx(0.05)
    assert rows[2].relative == pytest.approx(0.0625)
    assert has_base(rows)


def test_a_base_without_metrics_is_recognised():
    rows = metric_rows({FILE: {"test.roc_auc": {"old": None, "new": 0.8}}})
    assert not has_base(rows)
    assert not has_base([])


def test_param_rows_keep_only_changes():
    diff = {"params.yaml": {"train.max_depth": {"old": 4, "new": 2}, "x.y": {"old": 1, "new": 1}}}
    [changed] = param_rows(diff)
    assert (changed.key, changed.base, changed.new) == ("train.max_depth", 4, 2)


def test_formatting():
    assert format_value(None) == "—"
    assert format_value(0.123456) == "0.1235"
    assert format_value(20223.0) == "20223"
    assert format_value(["a", 1]) == '["a",1]'
    assert format_change(0.0123) == "+0.0123"
    assert format_change(-12.0, count=True) == "-12"
    assert format_change(-0.05, percent=True) == "-5.0%"
    assert format_change(None) == "—"
    assert is_count(row("confusion.tp", 10, 12))
    assert not is_count(row("test.recall", 1.0, 1.0))


def test_a_relative_change_keeps_the_sign_of_the_change_when_the_base_is_negative():
    """-2 -> -1 went up by half of the base's size: +50%, not -50%; a zero base has none."""
    assert MetricRow("f", "drift.missing_rate_change", -2.0, -1.0).relative == pytest.approx(0.5)
    assert MetricRow("f", "drift.missing_rate_change", -1.0, -2.0).relative == pytest.approx(-1.0)
    assert MetricRow("f", "x", 0.0, 1.0).relative is None
