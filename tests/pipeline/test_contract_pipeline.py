"""The new-column story through the real dvc CLI: reported, drift fires, `include` retrains."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from churn.generate import VIDEO_COLUMN
from tests.helpers import run, set_params, stages_run

pytestmark = pytest.mark.pipeline


def read_json(root: Path, path: str) -> dict:
    return json.loads((root / path).read_text())


def test_default_policy_reports_the_new_column_and_drift_fires(small_repo: Path):
    assert read_json(small_repo, "metrics/schema.json")["added"] == [VIDEO_COLUMN]
    counts = read_json(small_repo, "metrics/validation.json")
    assert counts["rows_in"] == counts["rows_valid"] + counts["rows_quarantined"]
    drift = read_json(small_repo, "metrics/drift.json")
    assert drift["drift"] and f"new column(s) {VIDEO_COLUMN}" in drift["reason"]
    assert (small_repo / f"metrics/drift_plots/{VIDEO_COLUMN}.png").is_file()
    assert VIDEO_COLUMN not in read_json(small_repo, "models/features.json")["numeric"]


def test_include_policy_trains_on_the_new_column(scratch_repo: Path):
    set_params(scratch_repo, **{"contract.new_column": "include"})
    ran = stages_run(run(scratch_repo, "dvc", "repro").stdout)
    assert ran == ["validate", "split", "featurize", "train", "evaluate", "drift", "score"]
    assert VIDEO_COLUMN in read_json(scratch_repo, "models/features.json")["numeric"]
    drift = read_json(scratch_repo, "metrics/drift.json")
    assert drift["features"][VIDEO_COLUMN]["importance"] > 0
    assert "new column" not in drift["reason"]


def test_fail_policy_stops_validate_with_one_clear_line(scratch_repo: Path):
    set_params(scratch_repo, **{"contract.new_column": "fail"})
    result = run(scratch_repo, "dvc", "repro", "validate", check=False)
    assert result.returncode != 0
    assert f"churn.validate: error: data/interim/customers.parquet: column '{VIDEO_COLUMN}'" in (
        result.stderr + result.stdout
    )
    assert "Traceback" not in result.stderr + result.stdout


def test_without_a_contract_the_pipeline_infers_one_and_says_so(scratch_repo: Path):
    set_params(scratch_repo, **{"data.contract": ""})
    result = run(scratch_repo, "dvc", "repro")
    assert "no contract given (data.contract is empty): inferred one" in result.stdout
    assert stages_run(result.stdout)[0] == "validate"
    counts = read_json(scratch_repo, "metrics/validation.json")
    assert counts["rows_in"] == counts["rows_valid"] + counts["rows_quarantined"] > 0
    assert read_json(scratch_repo, "metrics/evaluate/metrics.json")["test"]["roc_auc"] > 0.7
    assert read_json(scratch_repo, "metrics/score.json")["rows_scored"] > 0
    assert "up to date" in run(scratch_repo, "dvc", "status").stdout
