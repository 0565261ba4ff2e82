"""A metric whose file moved is one row named after its new file (surviving mutant of gate)."""

from churn.comparison import MetricRow
from churn.gate import rows_by_key


def test_a_moved_metric_is_one_row_named_after_the_file_that_has_it_now():
    rows = [
        MetricRow("metrics/eval.json", "test.roc_auc", 0.80, None),
        MetricRow("metrics/evaluate.json", "test.roc_auc", None, 0.82),
    ]
    assert rows_by_key(rows) == {
        "test.roc_auc": MetricRow("metrics/evaluate.json", "test.roc_auc", 0.80, 0.82)
    }
    assert rows_by_key(rows[::-1]) == rows_by_key(rows)
