"""Behavioural tests of a trained model: invariance, direction, obvious cases."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from churn.model import predict_proba
from churn.model_matrix import transform
from tests.model.conftest import Trained


def scores(trained: Trained, rows: pd.DataFrame) -> np.ndarray:
    return predict_proba(trained.model, transform(rows, trained.spec))


def test_the_model_is_useful_but_not_perfect(trained: Trained):
    metrics = json.loads((trained.root / "eval/metrics.json").read_text())["test"]
    assert 0.78 < metrics["roc_auc"] < 0.95
    assert metrics["lift_top"] > 2


def test_scores_are_churn_probabilities_on_average(trained: Trained):
    """The model trains with positives weighted by the class ratio; its saved scores are
    corrected back, so they average about the churn rate (they averaged 2.5x it)."""
    metrics = json.loads((trained.root / "eval/metrics.json").read_text())["test"]
    mean_score = scores(trained, trained.test_rows).mean()
    assert abs(mean_score - metrics["churn_rate"]) < 0.05


def test_customer_id_and_snapshot_date_do_not_change_a_score(trained: Trained):
    rows = trained.test_rows.head(500)
    renamed = rows.assign(customer_id="C9999999", snapshot_month=pd.Timestamp("2030-01-01"))
    assert np.array_equal(scores(trained, rows), scores(trained, renamed))


def test_column_order_and_extra_columns_do_not_change_a_score(trained: Trained):
    rows = trained.test_rows.head(500)
    shuffled = rows[rows.columns[::-1]].assign(some_new_column=1.0)
    assert np.array_equal(scores(trained, rows), scores(trained, shuffled))


def test_more_days_since_last_order_never_lowers_churn_risk(trained: Trained):
    rows = trained.test_rows[trained.test_rows["days_since_last_order"].notna()].head(2000)
    base = scores(trained, rows)
    for extra_days in (7, 30, 90):
        later = rows.assign(days_since_last_order=rows["days_since_last_order"] + extra_days)
        assert (scores(trained, later) >= base - 1e-6).all()


def test_lapsed_customers_are_riskier_than_active_ones(trained: Trained):
    rows = trained.test_rows.head(1000)
    active = rows.assign(days_since_last_order=2.0, orders_30d=3, orders_90d=8, sessions_30d=20)
    lapsed = rows.assign(days_since_last_order=80.0, orders_30d=0, orders_90d=1, sessions_30d=1)
    assert scores(trained, lapsed).mean() > scores(trained, active).mean() + 0.1


def test_unseen_categories_and_missing_values_still_score(trained: Trained):
    rows = trained.test_rows.head(50).assign(
        country="Atlantis", device=None, avg_order_value=np.nan
    )
    result = scores(trained, rows)
    assert np.isfinite(result).all() and ((result > 0) & (result < 1)).all()


def test_the_confusion_plot_names_both_axes_alike(trained: Trained):
    """Labels are 0/1; decisions were logged as True/False, so DVC drew a matrix whose actual
    axis read 0, 1 and whose predicted axis read False, True."""
    path = trained.root / "eval/plots/sklearn/confusion_matrix.json"
    cells = json.loads(path.read_text())
    assert {cell["actual"] for cell in cells} == {"0", "1"}
    assert {cell["predicted"] for cell in cells} == {"0", "1"}
