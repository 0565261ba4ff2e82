"""The top share: its rows among tied scores, its lift without churners (surviving mutants of
churn.evaluate)."""

import numpy as np

from churn.evaluate import top_share_metrics


def test_tied_scores_enter_the_top_share_in_file_order():
    """Scores tie often (a small tree ensemble gives few distinct values): which tied rows make
    the top share is the file's order, so a rerun on the same data gives the same precision."""
    scores = np.random.default_rng(0).integers(0, 5, 300) / 4
    labels = (np.arange(300) < 150).astype(int)
    top = sorted(range(300), key=lambda row: (-scores[row], row))[:30]  # 10% of 300
    found = top_share_metrics(labels, scores, 0.1)
    assert found["precision_top"] == labels[top].mean() == 1.0
    assert found["lift_top"] == 2.0


def test_a_month_without_churners_has_no_lift_not_a_division_by_zero():
    found = top_share_metrics(np.zeros(50, dtype=int), np.linspace(0, 1, 50), 0.1)
    assert found == {"precision_top": 0.0, "lift_top": 0.0}
