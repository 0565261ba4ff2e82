"""Drift detection calibrated on our generator: quiet on stable months, loud on real change."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from churn.drift import drift_report
from churn.drift_decision import is_drifted
from churn.drift_stats import feature_stats
from churn.generate import VIDEO_COLUMN, generate_snapshots
from churn.params import PARAMS_FILE, GenerateParams, load_section
from tests.helpers import REPO

DATA = load_section("data", REPO / PARAMS_FILE)
DRIFT = load_section("drift", REPO / PARAMS_FILE)
POLICIES = load_section("contract", REPO / PARAMS_FILE)
NO_MODEL = ({}, None, {})


@pytest.fixture(scope="module", params=[1, 2, 3], ids=lambda seed: f"seed{seed}")
def months(request) -> list:
    """Six monthly snapshots at the default size (20,000 customers) for one generator seed."""
    params = GenerateParams(20000, 1, "2026-01", 6, 5, request.param)
    snapshots = generate_snapshots(params)
    return [snapshots[month] for month in sorted(snapshots)]


def test_no_false_alarm_between_two_stable_months(months):
    report = drift_report(months[1], months[2], DRIFT, DATA, NO_MODEL, POLICIES)
    assert not report["drift"], report["reason"]
    assert report["share_drifted"] == 0


def test_alarm_when_the_shifted_months_are_compared(months):
    current = months[5].drop(columns=[VIDEO_COLUMN])  # the distribution shift alone
    report = drift_report(months[0], current, DRIFT, DATA, NO_MODEL, POLICIES)
    assert report["drift"], report["reason"]
    assert report["features"]["device"]["drifted"]
    assert report["features"]["discount_share"]["drifted"]


def test_alarm_when_the_new_column_reaches_the_reference_under_include(months):
    """Under include, April against May reports the column (retraining then tests on May and
    trains on months without it); May against June, retraining trains on it: RETRAIN. Under
    ignore (the default) retraining would leave it out again: only reported, and the
    distributions decide (they are stable)."""
    include = replace(POLICIES, new_column="include")
    report = drift_report(months[3], months[4], DRIFT, DATA, NO_MODEL, include)
    assert not report["drift"] and f"{VIDEO_COLUMN} in the current data only" in report["reason"]
    roles = {VIDEO_COLUMN, DATA.target, DATA.id, DATA.timestamp}
    without_video = dict.fromkeys(c for c in months[3].columns if c not in roles)
    model = ({}, without_video, {})  # a model trained before the column came (types inferred)
    report = drift_report(months[4], months[5], DRIFT, DATA, model, include)
    assert report["drift"]
    assert f"new column(s) {VIDEO_COLUMN}: schema change" in report["reason"]
    assert report["features"][VIDEO_COLUMN]["new_column"]
    report = drift_report(months[3], months[4], DRIFT, DATA, NO_MODEL, POLICIES)
    assert not report["drift"] and report["ignored_columns"] == [VIDEO_COLUMN]
    assert report["share_drifted"] == 0


def test_missing_rate_rarely_flags_two_small_samples_of_one_month(months):
    """100 pairs of 600 rows from one month, on the column whose missing rate is nearest 0.5
    (where chance moves it most): the missing-rate rule alone flags at most 2 (about 1 expected
    at p < 0.01; without the two-proportion test it flagged 4 to 11)."""
    month = months[1]
    column = (month.isna().mean() - 0.5).abs().idxmin()
    rng = np.random.default_rng(0)
    flags = 0
    for _ in range(100):
        rows = rng.permutation(len(month))[:1200]
        values = month[column].to_numpy()
        row = feature_stats(pd.Series(values[rows[:600]]), pd.Series(values[rows[600:]]), True)
        flags += is_drifted({k: v for k, v in row.items() if k.startswith("missing")}, DRIFT)
    assert flags <= 2
