"""Drift detection calibrated on our generator: quiet on stable months, loud on real change."""

import pytest

from churn.drift import drift_report
from churn.generate import VIDEO_COLUMN, generate_snapshots
from churn.params import PARAMS_FILE, GenerateParams, load_section
from tests.helpers import REPO

DATA = load_section("data", REPO / PARAMS_FILE)
DRIFT = load_section("drift", REPO / PARAMS_FILE)
NO_MODEL = ({}, None)


@pytest.fixture(scope="module", params=[1, 2, 3], ids=lambda seed: f"seed{seed}")
def months(request) -> list:
    """Six monthly snapshots at the default size (20,000 customers) for one generator seed."""
    params = GenerateParams(20000, 1, "2026-01", 6, 5, request.param)
    snapshots = generate_snapshots(params)
    return [snapshots[month] for month in sorted(snapshots)]


def test_no_false_alarm_between_two_stable_months(months):
    report = drift_report(months[1], months[2], DRIFT, DATA, NO_MODEL)
    assert not report["drift"], report["reason"]
    assert report["share_drifted"] == 0


def test_alarm_when_the_shifted_months_are_compared(months):
    current = months[5].drop(columns=[VIDEO_COLUMN])  # the distribution shift alone
    report = drift_report(months[0], current, DRIFT, DATA, NO_MODEL)
    assert report["drift"], report["reason"]
    assert report["features"]["device"]["drifted"]
    assert report["features"]["discount_share"]["drifted"]


def test_alarm_when_the_new_column_arrives(months):
    report = drift_report(months[3], months[4], DRIFT, DATA, NO_MODEL)
    assert report["drift"]
    assert f"new column(s) {VIDEO_COLUMN}: schema change" in report["reason"]
    assert report["features"][VIDEO_COLUMN]["new_column"]
