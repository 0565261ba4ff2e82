"""The quality gate and the verdict line, on crafted metric sets."""

from __future__ import annotations

import sys

import pytest

from churn.comparison import MetricRow
from churn.errors import ChurnError
from churn.gate import check_gate, check_gate_params, verdict
from churn.params import GateParams, load_section
from tests.fork_server import run_module

FILE = "metrics/evaluate/metrics.json"
PARAMS = GateParams(
    headline="test.roc_auc",
    tolerances={"test.roc_auc": 0.01, "test.pr_auc": 0.01, "test.log_loss": 0.02},
)


def rows(**values: tuple[float | None, float | None]) -> list[MetricRow]:
    return [MetricRow(FILE, f"test.{name}", base, new) for name, (base, new) in values.items()]


def test_improvement_passes_and_the_verdict_leads_with_the_headline():
    metrics = rows(roc_auc=(0.800, 0.812), pr_auc=(0.50, 0.51), log_loss=(0.45, 0.44))
    assert check_gate(metrics, PARAMS.tolerances).passed
    assert verdict(metrics, PARAMS, "main") == (
        "ROC AUC +0.0120 (0.8000 → 0.8120), no metric worse than its tolerance"
    )


def test_regression_beyond_tolerance_fails_in_either_direction():
    metrics = rows(roc_auc=(0.80, 0.805), pr_auc=(0.50, 0.47), log_loss=(0.40, 0.43))
    result = check_gate(metrics, PARAMS.tolerances)
    assert not result.passed
    assert result.failures == [
        "test.log_loss worse by 0.0300 (tolerance 0.02)",
        "test.pr_auc worse by 0.0300 (tolerance 0.01)",
    ]
    assert verdict(metrics, PARAMS, "main").startswith("⚠ test.log_loss worse by 0.0300")


def test_regression_within_tolerance_passes():
    metrics = rows(roc_auc=(0.80, 0.795), pr_auc=(0.50, 0.49))
    assert check_gate(metrics, PARAMS.tolerances).passed


def test_a_new_metric_is_not_gated_and_a_removed_one_fails():
    added = rows(roc_auc=(None, 0.8), pr_auc=(0.5, 0.5))
    assert check_gate(added, PARAMS.tolerances).passed
    removed = rows(roc_auc=(0.8, 0.8), pr_auc=(0.5, None))
    assert check_gate(removed, PARAMS.tolerances).failures == [
        "test.pr_auc was removed (it had 0.5000)"
    ]


def test_a_base_without_metrics_passes_and_says_so():
    metrics = rows(roc_auc=(None, 0.8), pr_auc=(None, 0.5))
    result = check_gate(metrics, PARAMS.tolerances)
    assert result.passed and not result.compared
    line = verdict(metrics, PARAMS, "origin/main")
    assert (
        line
        == "ROC AUC 0.8000; first report: the base `origin/main` has no metrics to compare against"
    )


def test_a_base_with_other_metrics_but_none_gated_is_a_first_report():
    """A base with validation counts but no evaluation yet: the verdict said "no metric worse
    than its tolerance", as if the new model's metrics had been compared with something."""
    counts = MetricRow("metrics/validation.json", "rows_in", 100, 100)
    metrics = [counts, *rows(roc_auc=(None, 0.8), pr_auc=(None, 0.5))]
    assert not check_gate(metrics, PARAMS.tolerances).compared
    assert verdict(metrics, PARAMS, "main").endswith(
        "first report: the base `main` has no metrics to compare against"
    )


def test_missing_headline_is_stated():
    assert verdict(rows(pr_auc=(0.5, 0.5)), PARAMS, "main").startswith("ROC AUC not reported, ")


def test_a_misspelt_or_neutral_tolerance_is_refused_naming_it():
    metrics = [*rows(roc_auc=(0.8, 0.8), churn_rate=(0.1, 0.2)), MetricRow(FILE, "features", 6, 7)]
    tolerances = {"test.roc_au": 0.01, "test.churn_rate": 0.01}
    with pytest.raises(ChurnError) as error:
        check_gate_params(metrics, GateParams("test.roc_auc", tolerances), "p.yaml", "main")
    assert str(error.value) == (
        "p.yaml: gate.tolerances.test.churn_rate: a count or rate, neither better nor worse: none "
        "applies; gate.tolerances.test.roc_au: no such metric in main (did you mean "
        "'test.roc_auc'?)"
    )
    check_gate_params(metrics, GateParams("test.roc_auc", {"test.roc_auc": 0.01}), "p.yaml", "m")
    unchecked = GateParams("test.roc_au", {"test.roc_au": 0.01})
    check_gate_params([], unchecked, "p.yaml", "main")  # no metrics yet: unchecked
    fitted = [MetricRow("metrics/train/metrics.json", "train.auc", 0.92, 0.84)]
    with pytest.raises(ChurnError, match="train.auc: an in-sample metric, neither better nor"):
        check_gate_params(fitted, GateParams("train.auc", {"train.auc": 0.01}), "p.yaml", "m")


def test_a_misspelt_headline_is_refused_naming_it():
    """It led the verdict with "ROC AU not reported" and passed."""
    metrics = rows(roc_auc=(0.8, 0.8))
    with pytest.raises(ChurnError) as error:
        check_gate_params(metrics, GateParams("test.roc_au", {}), "p.yaml", "main")
    assert str(error.value) == (
        "p.yaml: gate.headline: test.roc_au: no such metric in main (did you mean 'test.roc_auc'?)"
    )
    removed = [MetricRow(FILE, "test.pr_auc", 0.5, None), *metrics]  # reported by the base only
    check_gate_params(removed, GateParams("test.pr_auc", {}), "p.yaml", "main")


NOT_FINITE = "should be a finite number"
BELOW_0 = "should be a number, 0 or more (how much worse the metric may get)"


@pytest.mark.parametrize(
    ("tolerance", "problem"),
    [
        ("-0.01", f"{BELOW_0}, got -0.01"),
        (".nan", f"{NOT_FINITE}, got nan"),
        ("-.inf", f"{NOT_FINITE}, got -inf"),
    ],
)
def test_a_negative_or_not_finite_tolerance_is_one_line_and_exit_2(tmp_path, tolerance, problem):
    """Below 0 a model matching its base failed ("worse by -0.0000"); nan and inf never fail."""
    params = tmp_path / "params.yaml"
    params.write_text(
        "gate:\n  headline: test.roc_auc\n"
        f"  tolerances:\n    test.roc_auc: 0\n    test.log_loss: {tolerance}\n"
    )
    command = [sys.executable, "-m", "churn.gate", "--base", "HEAD", "--params", str(params)]
    done = run_module(command)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"churn.gate: error: {params}: key 'gate.tolerances.test.log_loss' {problem}"
    ]
    params.write_text(params.read_text().replace(tolerance, "0.02"))
    assert load_section("gate", params).tolerances == {"test.roc_auc": 0, "test.log_loss": 0.02}


@pytest.mark.parametrize("module", ["churn.challenge", "churn.report"])
def test_the_challenge_and_the_report_refuse_a_negative_tolerance_too(tmp_path, module):
    params = tmp_path / "params.yaml"
    params.write_text("gate:\n  headline: test.roc_auc\n  tolerances:\n    test.roc_auc: -1\n")
    command = [sys.executable, "-m", module, "--base", "HEAD", "--params", str(params)]
    done = run_module(command, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"{module}: error: {params}: key 'gate.tolerances.test.roc_auc' {BELOW_0}, got -1"
    ]


def test_a_nan_or_infinite_metric_fails_the_gate_naming_it():
    """NaN compared as never worse than anything, so a model whose ROC AUC was NaN passed."""
    nan, inf = float("nan"), float("inf")
    metrics = rows(roc_auc=(0.8, nan), pr_auc=(0.5, 0.5), log_loss=(0.3, inf))
    result = check_gate(metrics, PARAMS.tolerances)
    assert result.failures == [
        "test.log_loss is +inf: not a number the gate can compare",
        "test.roc_auc is NaN: not a number the gate can compare",
    ]
    assert verdict(metrics, PARAMS, "main") == (
        "⚠ test.log_loss is +inf: not a number the gate can compare; test.roc_auc is NaN: not a "
        "number the gate can compare — ROC AUC NaN (base 0.8000)"
    )
    first = rows(roc_auc=(None, nan), pr_auc=(None, 0.5))  # a first report has no base either
    assert check_gate(first, PARAMS.tolerances).failures == [
        "test.roc_auc is NaN: not a number the gate can compare"
    ]
    assert verdict(first, PARAMS, "main").endswith("has no metrics to compare against")
    # a base that was NaN leaves nothing to fall behind; a new one that is a number passes
    assert check_gate(rows(roc_auc=(nan, 0.8), pr_auc=(0.5, 0.5)), PARAMS.tolerances).passed


def test_nan_and_infinite_metrics_render_as_such_without_a_change():
    from churn.report_markdown import metric_table

    nan, inf = float("nan"), float("inf")
    table = metric_table(rows(roc_auc=(0.8, nan), log_loss=(nan, 0.3), brier=(0.1, -inf)))
    assert table[2:] == [
        "| test.roc_auc | 0.8000 | NaN | — | — | ⚠ NaN |",
        "| test.log_loss | NaN | 0.3000 | — | — |  |",
        "| test.brier | 0.1000 | -inf | — | — | ⚠ infinite |",
    ]


def test_a_metric_whose_file_moved_is_compared_across_the_files():
    """A PR moving the evaluate stage's dvclive folder: each metric is `removed` from the old file
    and `new metric` in the new one, and the gate judged whichever file sorted last: "removed"
    (metrics/eval/ before metrics/evaluate/), or a first report that compared nothing."""
    for old, new in (("metrics/evaluate/m.json", "metrics/eval/m.json"), ("a.json", "b.json")):
        moved = [
            MetricRow(old, "test.roc_auc", 0.82, None),
            MetricRow(new, "test.roc_auc", None, 0.70),
            MetricRow(old, "test.pr_auc", 0.5, None),
            MetricRow(new, "test.pr_auc", None, 0.5),
        ]
        moved.sort(key=lambda row: (row.file, row.key))  # as dvc metrics diff lists them
        result = check_gate(moved, PARAMS.tolerances)
        assert result.compared and result.failures == [
            "test.roc_auc worse by 0.1200 (tolerance 0.01)"
        ]
        assert verdict(moved, PARAMS, "main").endswith("— ROC AUC -0.1200 (0.8200 → 0.7000)")
