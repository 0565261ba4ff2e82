"""Comparison plots are real PNG files, also when one revision lacks the data."""

from __future__ import annotations

import pytest

from churn.errors import ChurnError
from churn.report import CURVES, confusion_panels, curve_points
from churn.report_plots import confusion_grid, draw_confusions, draw_curves
from tests.code.test_gate import rows

PNG = b"\x89PNG\r\n\x1a\n"
ROC = CURVES[0]


def test_curves_with_both_or_one_side(tmp_path):
    points = [{"fpr": 0.0, "tpr": 0.0}, {"fpr": 0.5, "tpr": 0.8}, {"fpr": 1.0, "tpr": 1.0}]
    draw_curves(ROC, points, points[::2], tmp_path / "both.png")
    draw_curves(ROC, None, points, tmp_path / "new_only.png")
    for name in ("both.png", "new_only.png"):
        assert (tmp_path / name).read_bytes().startswith(PNG)


def test_confusion_matrices_side_by_side(tmp_path):
    draw_confusions(
        {"base": {"tn": 5, "fp": 1}, "new": {"tn": 4, "fp": 2, "tp": 3}}, tmp_path / "c.png"
    )
    assert (tmp_path / "c.png").read_bytes().startswith(PNG)
    assert confusion_grid({"tn": 5, "fp": 1, "fn": None}) == [[5, 1], [0, 0]]


def test_confusion_panels_only_for_revisions_that_have_counts():
    from churn.comparison import MetricRow

    metrics = [MetricRow("m.json", "confusion.tp", None, 7), MetricRow("m.json", "test.f1", 1, 1)]
    assert confusion_panels(metrics) == {"new": {"tp": 7}}
    assert confusion_panels(rows(f1=(0.5, 0.6))) == {}
    broken = [MetricRow("m.json", "confusion.tp", 3, float("nan")), *metrics[1:]]
    assert confusion_panels(broken) == {"base": {"tp": 3}}  # int(NaN) raised while drawing


def test_curve_points_absent_is_none_and_malformed_is_an_error():
    assert curve_points(None, ROC, "main") is None
    with pytest.raises(ChurnError, match=r"roc.json at main: expected a list"):
        curve_points([{"fpr": 0.1}], ROC, "main")
