"""Evaluate core: metrics on crafted scores, slices, importance."""

import numpy as np
import pandas as pd
import pytest

from churn.evaluate import classification_metrics, slice_masks, top_share_metrics


def test_perfect_ranking_and_decisions():
    labels = np.array([0, 0, 0, 1])
    scores = np.array([0.1, 0.2, 0.3, 0.9])
    result = classification_metrics(labels, scores, threshold=0.5, top_fraction=0.25)
    assert result["roc_auc"] == 1.0 and result["pr_auc"] == 1.0
    assert result["precision"] == result["recall"] == result["f1"] == 1.0
    assert result["precision_top"] == 1.0 and result["lift_top"] == 4.0


def test_inverted_ranking_is_worst():
    labels = np.array([1, 0, 0, 0])
    scores = np.array([0.1, 0.2, 0.3, 0.9])
    result = classification_metrics(labels, scores, threshold=0.5, top_fraction=0.25)
    assert result["roc_auc"] == 0.0 and result["recall"] == 0.0 and result["lift_top"] == 0.0


def test_single_class_slice_has_no_ranking_metrics_and_empty_slice_only_counts():
    result = classification_metrics(np.array([0, 0]), np.array([0.1, 0.7]), 0.5, 0.5)
    assert "roc_auc" not in result and result["precision"] == 0.0
    assert classification_metrics(np.array([]), np.array([]), 0.5, 0.1) == {"rows": 0.0}


def test_top_share_rounds_up_to_at_least_one_row():
    assert top_share_metrics(np.array([1, 0, 0]), np.array([0.9, 0.1, 0.2]), 0.01)[
        "precision_top"
    ] == pytest.approx(1.0)


def test_slices_skip_absent_columns():
    raw = pd.DataFrame({"tenure_months": [1, 5], "device": ["mobile", "desktop"]})
    masks = slice_masks(raw, {"new": "tenure_months < 3", "other": "absent_column > 1"})
    assert list(masks) == ["new"] and masks["new"].tolist() == [True, False]
