"""Drift statistics and decision on small synthetic samples; the check CLI's exit codes."""

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from churn.drift import decide, drift_report, is_drifted
from churn.drift_stats import categorical_stats, numeric_stats
from churn.drift_window import skipped_report, stage_window
from churn.errors import ChurnError
from churn.params import DataParams, DriftParams

DATA = DataParams("churned", 1, "customer_id", "month")
PARAMS = DriftParams(100, 50, 0.01, 0.2, 0.1, 0.1, 0.01, 0.05, 0.1, 0.03)


def batch(rng, n, shift=0.0, plans=("free", "plus")) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": [f"c{i}" for i in range(n)],
            "spend": rng.normal(50 + shift, 10, n),
            "plan": rng.choice(plans, n),
            "churned": rng.integers(0, 2, n),
        }
    )


def test_identical_samples_show_no_drift_and_a_shift_does():
    rng = np.random.default_rng(0)
    same = pd.Series(rng.normal(0, 1, 5000))
    assert numeric_stats(same, same, small=False) == {"psi": 0.0, "wasserstein": 0.0}
    moved = numeric_stats(same, same + 1.0, small=False)
    assert moved["psi"] > 0.25 and 0.9 < moved["wasserstein"] < 1.1


def test_categorical_unseen_share_and_js():
    reference = pd.Series(["a", "b"] * 50)
    current = pd.Series(["a"] * 50 + ["c"] * 50)
    result = categorical_stats(reference, current, small=True)
    assert result["unseen_share"] == 0.5
    assert result["js"] > 0.3 and result["p_value"] < 0.01


def test_small_samples_need_a_significant_test_too():
    row = {"psi": 0.3, "p_value": 0.2, "missing_rate_change": 0.0}
    assert not is_drifted(row, PARAMS)
    assert is_drifted(row | {"p_value": 0.001}, PARAMS)
    assert is_drifted({"psi": 0.0, "p_value": 0.9, "missing_rate_change": 0.2}, PARAMS)


def test_importance_weighted_drift_alone_can_warrant_retraining():
    table = {f"f{i}": {"psi": 0.0, "importance": 0.0, "drifted": False} for i in range(19)}
    table["key"] = {"psi": 0.25, "importance": 0.5, "drifted": True}
    drift, reason = decide(table, [], PARAMS)
    assert drift and "important feature(s) drifted: key" in reason


def test_a_batch_below_the_minimum_size_is_refused():
    rng = np.random.default_rng(1)
    with pytest.raises(ChurnError, match="current data has 20 rows; drift.min_rows is 100"):
        drift_report(batch(rng, 500), batch(rng, 20), PARAMS, DATA, ({}, None))


def run_check(tmp_path, reference, current, *options: str):
    reference.to_csv(tmp_path / "reference.csv", index=False)
    current.to_csv(tmp_path / "current.csv", index=False)
    params = {"data": DATA.__dict__, "drift": PARAMS.__dict__}
    (tmp_path / "params.yaml").write_text(json.dumps(params))
    command = [sys.executable, "-m", "churn.drift", "check", "--reference", "reference.csv"]
    command += ["--current", "current.csv", "--params", "params.yaml", "--out", "drift.json"]
    command += options
    return subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120)


def test_check_cli_exit_codes(tmp_path):
    rng = np.random.default_rng(2)
    reference = batch(rng, 5000)
    assert run_check(tmp_path, reference, batch(rng, 5000)).returncode == 0
    shifted = run_check(tmp_path, reference, batch(rng, 5000, shift=8.0, plans=("free", "gold")))
    assert shifted.returncode == 1, shifted.stderr
    report = json.loads((tmp_path / "drift.json").read_text())
    assert report["drift"] and report["features"]["spend"]["drifted"]
    assert report["features"]["plan"]["unseen_share"] > 0.4
    bad = run_check(tmp_path, reference, batch(rng, 10))
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    expected = "churn.drift: error: current data has 10 rows; drift.min_rows is 100"
    assert bad.stderr.strip() == expected


@pytest.mark.parametrize(
    ("timestamp", "months", "reason"),
    [
        ("", ["2026-01-01"] * 2, "no snapshots to compare (data.timestamp: '')"),
        ("month", ["2026-01-01"] * 2, "training window 0 rows, newest snapshot 1000 rows"),
        ("month", ["2026-01-01", "2026-02-01"], None),
    ],
)
def test_the_stage_skips_and_says_why_when_there_is_nothing_to_compare(timestamp, months, reason):
    rng = np.random.default_rng(3)
    frame = pd.concat([batch(rng, 500).assign(month=month) for month in months])
    data = DataParams("churned", 1, "customer_id", timestamp)
    reference, current, skip = stage_window(frame, PARAMS, data)
    if reason is None:  # two snapshots of 500 rows: compared
        assert skip is None and len(reference) == len(current) == 500
    else:
        assert skip.startswith(reason)
        report = skipped_report(skip, len(reference), len(current))
        assert report["skipped"] and report["drift"] is False and report["features"] == {}
        assert report["reason"] == f"skipped: {skip}"


def test_the_stage_refuses_a_timestamp_or_id_the_data_lacks():
    rng = np.random.default_rng(4)
    frame = batch(rng, 500).assign(month="2026-01-01")
    for data, role in ((DataParams("churned", 1, "customer_id", "mnth"), "timestamp"),
                       (DataParams("churned", 1, "customerid", "month"), "id")):  # fmt: skip
        with pytest.raises(ChurnError, match=rf"^c.parquet: column '\w+' \(data.{role}\) not"):
            stage_window(frame, PARAMS, data, "c.parquet")


@pytest.mark.parametrize("option", ["--model", "--features"])
def test_check_refuses_a_model_or_feature_spec_path_that_does_not_exist(tmp_path, option):
    rng = np.random.default_rng(5)
    result = run_check(tmp_path, batch(rng, 500), batch(rng, 500), option, "nope.json")
    assert result.returncode == 2
    assert result.stderr.strip() == f"churn.drift: error: nope.json: file not found ({option})"
