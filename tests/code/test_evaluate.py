"""Evaluate core: metrics on crafted scores, slices, importance."""

import json

import numpy as np
import pandas as pd
import pytest
import yaml

from churn.errors import ChurnError
from churn.evaluate import classification_metrics, slice_masks, top_share_metrics
from churn.evaluate import main as evaluate_main
from churn.headline import headline_table
from churn.headline import main as headline_main
from churn.model import LogisticModel, save_model
from tests.helpers import REPO


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
    # 40% of 3 rows is 1.2: two rows, not one (the floor of 1 alone could not show it)
    top = top_share_metrics(np.array([1, 0, 0]), np.array([0.9, 0.8, 0.1]), 0.4)
    assert top == {"precision_top": 0.5, "lift_top": pytest.approx(1.5)}


def test_slices_skip_absent_columns_saying_which_slice_and_why(capsys):
    raw = pd.DataFrame({"tenure_months": [1, 5], "device": ["mobile", "desktop"]})
    masks = slice_masks(raw, {"new": "tenure_months < 3", "other": "`Absent Column` > 1"})
    assert list(masks) == ["new"] and masks["new"].tolist() == [True, False]
    assert capsys.readouterr().out.strip() == (
        "evaluate: slice 'other' (`Absent Column` > 1) skipped: it names a column the test split "
        "lacks (only the data contract's columns reach it)"
    )


def test_a_slice_on_the_label_as_the_file_spells_it_is_told_the_label_is_0_1(capsys):
    raw = pd.DataFrame({"Churn": [0, 1]})
    assert not slice_masks(raw, {"churners": "Churn == 'Yes'"}, "Churn")["churners"].any()
    assert (
        capsys.readouterr()
        .err.strip()
        .endswith("matches no test rows; the label Churn holds 0 and 1 here")
    )


def test_headline_lists_test_then_slices_with_the_metrics_present():
    metrics = {
        "test": {"rows": 100.0, "roc_auc": 0.81234, "brier": 0.17},
        "slices": {"mobile": {"rows": 40.0, "roc_auc": 0.8}, "odd": "not a slice"},
        "confusion": {"tp": 3},
    }
    lines = headline_table(metrics).splitlines()
    assert lines[0].split() == ["segment", "rows", "roc_auc", "brier"]
    assert lines[1].split() == ["test", "100", "0.8123", "0.1700"]
    assert lines[2].split() == ["mobile", "40", "0.8000", "-"]
    assert len(lines) == 3


def test_headline_keeps_the_test_row_beside_a_slice_named_test():
    """A slice named "test" replaced the test split's row silently before."""
    metrics = {
        "test": {"rows": 100.0, "roc_auc": 0.8},
        "slices": {"test": {"rows": 10.0, "roc_auc": 0.6}},
    }
    lines = headline_table(metrics).splitlines()
    assert lines[1].split() == ["test", "100", "0.8000"]
    assert lines[2].split() == ["slices.test", "10", "0.6000"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "metrics not found"),
        ("{oops", "not valid JSON"),
        ("[1]", "expected a JSON object"),
        ("{}", "metrics.json: no test metrics"),
    ],
)
def test_headline_refuses_a_missing_or_broken_file_in_one_line(tmp_path, content, message):
    path = tmp_path / "metrics.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(ChurnError, match=message):
        headline_main(["--metrics", str(path)])


def test_a_slice_matching_no_rows_is_kept_and_warned_about_on_stderr(capsys):
    raw = pd.DataFrame({"tenure_months": [5, 7], "device": ["mobile", "desktop"]})
    masks = slice_masks(raw, {"new": "tenure_months < 3", "mobile": "device == 'mobile'"})
    assert masks["new"].tolist() == [False, False] and masks["mobile"].tolist() == [True, False]
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["evaluate: warning: slice 'new' (tenure_months < 3) matches no test rows"]


def test_a_slice_that_is_not_a_condition_is_refused():
    raw = pd.DataFrame({"tenure_months": [0, 7]})
    with pytest.raises(ChurnError, match=r"evaluate.slices.tenure is not a condition"):
        slice_masks(raw, {"tenure": "tenure_months + 1"})


def test_each_metric_is_the_one_its_name_says_on_hand_computed_scores():
    """Values worked out by hand: average precision (not ROC AUC) for PR AUC, the mean squared
    error for Brier, a score equal to the threshold decided positive, and the top 30% of 5
    rows rounded up to 2."""
    labels = np.array([1, 0, 0, 1, 0])
    scores = np.array([0.9, 0.8, 0.7, 0.5, 0.1])
    result = classification_metrics(labels, scores, threshold=0.5, top_fraction=0.3)
    assert result["roc_auc"] == pytest.approx(4 / 6, abs=1e-6)
    assert result["pr_auc"] == pytest.approx((1 + 2 / 4) / 2, abs=1e-6)
    assert result["brier"] == pytest.approx((0.01 + 0.64 + 0.49 + 0.25 + 0.01) / 5, abs=1e-6)
    log_loss = -(np.log(0.9) + np.log(0.2) + np.log(0.3) + np.log(0.5) + np.log(0.9)) / 5
    assert result["log_loss"] == pytest.approx(log_loss, abs=1e-6)
    assert result["precision"] == 0.5 and result["recall"] == 1.0
    assert result["f1"] == pytest.approx(2 / 3, abs=1e-6)
    assert result["precision_top"] == 0.5 and result["lift_top"] == pytest.approx(0.5 / 0.4)
    assert result["churn_rate"] == 0.4 and result["rows"] == 5


def test_the_stage_scores_each_slice_on_its_own_rows(tmp_path):
    """Each slice's metrics are those of its rows' labels against those rows' scores, as
    evaluate computes them for the whole test split, at the params' threshold."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=400)
    matrix = pd.DataFrame({"x": x.astype(np.float32), "churned": (x + rng.normal(size=400) > 1)})
    matrix = matrix.astype({"churned": int})
    model = LogisticModel(["x"], [0.0], [0.0], [1.0], [1.5], -1.5)
    save_model(model, tmp_path / "model.json")
    matrix.to_parquet(tmp_path / "test.parquet")
    raw = pd.DataFrame({"tenure_months": np.arange(400) % 24})
    raw.to_parquet(tmp_path / "raw.parquet")
    params = yaml.safe_load((REPO / "params.yaml").read_text())
    params["data"]["target"] = "churned"
    params["evaluate"]["slices"] = {"new": "tenure_months < 6"}
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(params))
    evaluate_main(
        [*["--model", str(tmp_path / "model.json"), "--test", str(tmp_path / "test.parquet")],
         *["--raw-test", str(tmp_path / "raw.parquet"), "--live-dir", str(tmp_path / "live")],
         *["--params", str(tmp_path / "params.yaml")]]
    )  # fmt: skip
    written = json.loads((tmp_path / "live" / "metrics.json").read_text())
    scores = model.predict(matrix[["x"]].to_numpy())
    labels, mask = matrix["churned"].to_numpy(), raw["tenure_months"].to_numpy() < 6
    cut = params["evaluate"]
    assert written["slices"]["new"]["rows"] == mask.sum() == 102
    assert written["slices"]["new"] == pytest.approx(
        classification_metrics(labels[mask], scores[mask], cut["threshold"], cut["top_fraction"])
    )
    assert written["test"] == pytest.approx(
        classification_metrics(labels, scores, cut["threshold"], cut["top_fraction"])
    )


@pytest.mark.parametrize(
    ("query", "why"),
    [
        ("plan.str.startswith('p')", "Can only use .str accessor with string values"),
        ("tenure_months < 1" + "0" * 400, "int too large to convert to float"),
    ],
)
def test_a_slice_the_test_columns_cannot_answer_is_one_params_error(query, why):
    """Errors only the data shows (check_params passes these queries): they were tracebacks."""
    raw = pd.DataFrame({"tenure_months": [0.5, 7.0], "plan": [1, 2]})
    with pytest.raises(ChurnError, match=rf"evaluate.slices.odd is not a valid query \({why}"):
        slice_masks(raw, {"odd": query})


def test_the_top_fraction_counts_the_rows_it_says_whatever_float_rounding():
    # 100 * 0.07 is 7.000000000000001 in floats: its ceiling took 8 rows, 1 of them negative
    labels, scores = np.array([1] * 7 + [0] * 93), np.linspace(1.0, 0.0, 100)
    assert top_share_metrics(labels, scores, 0.07)["precision_top"] == 1.0
