"""The top share (its rows among tied scores, its lift without churners) and slices (rows whose
condition is missing, the order of the metrics): surviving mutants of churn.evaluate."""

import numpy as np
import pandas as pd

from churn.evaluate import (
    confusion_counts,
    feature_importance,
    slice_masks,
    slice_metrics,
    thin,
    top_share_metrics,
)
from churn.model import LogisticModel
from churn.params import EvaluateParams


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


def test_a_row_whose_slice_condition_is_missing_is_not_in_the_slice():
    raw = pd.DataFrame({"orders": pd.Series([3, None, 0, 5], dtype="Int64")})
    masks = slice_masks(raw, {"active": "orders > 0", "idle": "orders <= 0"})
    assert masks["active"].tolist() == [True, False, False, True]
    assert masks["idle"].tolist() == [False, False, True, False]


def test_slice_metrics_are_keyed_in_name_order_whatever_the_params_order():
    labels, scores = np.array([0, 1, 0, 1]), np.array([0.1, 0.9, 0.4, 0.6])
    masks = {"b": np.array([True, True, False, False]), "a": np.array([False, True, True, True])}
    params = EvaluateParams(threshold=0.5, top_fraction=0.5, slices={})
    assert list(slice_metrics(labels, scores, masks, params)) == ["a", "b"]


def test_feature_importance_is_a_share_of_the_total_ties_in_name_order():
    model = LogisticModel(["b", "a", "c"], [0.0] * 3, [0.0] * 3, [1.0] * 3, [2.0, -2.0, 1.0], 0.0)
    assert feature_importance(model) == [
        {"feature": "a", "importance": 0.4},
        {"feature": "b", "importance": 0.4},
        {"feature": "c", "importance": 0.2},
    ]


def test_curves_keep_no_point_json_cannot_hold():
    points = [{"x": 0.0, "y": float("nan")}, {"x": 0.5, "y": float("inf")}, {"x": 1.0, "y": 1.0}]
    assert thin(points) == [{"x": 1.0, "y": 1.0}]


def test_a_score_at_the_threshold_is_a_positive_decision():
    counts = confusion_counts(np.array([1, 0, 1, 0]), np.array([0.5, 0.5, 0.2, 0.1]), 0.5)
    assert counts == {"tn": 1, "fp": 1, "fn": 1, "tp": 1}
