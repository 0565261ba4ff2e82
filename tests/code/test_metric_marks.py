"""The report's mark for a metric the gate fails as NaN or infinite flags it, with or without a
base: the table of a first report said "new metric" beside the value the verdict refused, and a
long report, which keeps flagged rows first (report_fit), could cut that row."""

from __future__ import annotations

import math

import pytest

from churn.comparison import MetricRow, mark
from churn.gate import check_gate
from churn.report_fit import FLAGGED


@pytest.mark.parametrize("base", [None, 0.8], ids=["first report", "with a base"])
@pytest.mark.parametrize("new", [math.nan, math.inf], ids=["NaN", "infinite"])
def test_a_metric_the_gate_fails_as_not_a_number_is_flagged(base, new):
    row = MetricRow("metrics/evaluate/metrics.json", "test.roc_auc", base, new)
    assert check_gate([row], {"test.roc_auc": 0.01}).failures
    assert mark(row).startswith("⚠") and any(flag in mark(row) for flag in FLAGGED)


def test_a_new_finite_metric_is_still_new():
    assert mark(MetricRow("metrics/evaluate/metrics.json", "test.roc_auc", None, 0.8)) == (
        "new metric"
    )
