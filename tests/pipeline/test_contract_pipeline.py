"""The new-column story through the real dvc CLI: reported, drift fires, `include` retrains."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from churn.generate import VIDEO_COLUMN
from tests.helpers import run, set_params, stages_run

pytestmark = pytest.mark.pipeline


def read_json(root: Path, path: str) -> dict:
    return json.loads((root / path).read_text())


def test_default_policy_reports_the_new_column_but_no_endless_retrain_alarm(small_repo: Path):
    """Under `ignore` retraining leaves the column out again: drift used to call it a schema
    change to retrain for, every month, on identical data too."""
    assert read_json(small_repo, "metrics/schema.json")["added"] == [VIDEO_COLUMN]
    counts = read_json(small_repo, "metrics/validation.json")
    assert counts["rows_in"] == counts["rows_valid"] + counts["rows_quarantined"]
    drift = read_json(small_repo, "metrics/drift.json")
    assert drift["ignored_columns"] == [VIDEO_COLUMN] and drift["new_columns"] == []
    assert f"{VIDEO_COLUMN} not used by the model (contract.new_column: ignore)" in drift["reason"]
    assert "new column(s)" not in drift["reason"]
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


def telco_like_export(path: Path, rows: int = 3000) -> None:
    """Someone else's data, shaped like the well-known telco churn export: other column names,
    Yes/No labels, no snapshots, and a TotalCharges text column with " " for new customers."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(7)
    tenure = rng.integers(0, 72, rows)
    monthly = np.round(rng.uniform(18, 120, rows), 2)
    contract = rng.choice(["Month-to-month", "One year", "Two year"], rows, p=[0.55, 0.25, 0.2])
    monthly_plan = np.where(contract == "Month-to-month", 1.2, -0.8)
    logit = -1.0 - 0.04 * tenure + 0.015 * monthly + monthly_plan
    total = np.round(tenure * monthly, 2).astype(str)
    total[tenure == 0] = " "
    pd.DataFrame(
        {
            "customerID": [f"{i:04d}-TLCO" for i in range(rows)],
            "tenure": tenure,
            "Contract": contract,
            "PaymentMethod": rng.choice(["Electronic check", "Mailed check", "Card"], rows),
            "MonthlyCharges": monthly,
            "TotalCharges": total,
            "Churn": np.where(rng.uniform(size=rows) < 1 / (1 + np.exp(-logit)), "Yes", "No"),
        }
    ).to_csv(path, index=False)


def test_own_data_without_snapshots_or_contract_runs_end_to_end(scratch_repo: Path, tmp_path):
    """README "Using your own data", as written there: params only, then `dvc repro`."""
    telco_like_export(tmp_path / "export.csv")
    own = {"target": "Churn", "positive_label": "Yes", "id": "customerID", "timestamp": ""}
    set_params(scratch_repo, **{"ingest.source": str(tmp_path / "export.csv"), "data.contract": ""},
               **{f"data.{key}": value for key, value in own.items()})  # fmt: skip
    result = run(scratch_repo, "dvc", "repro")
    assert "drift: ok: skipped: no snapshots to compare (data.timestamp: '')" in result.stdout
    validation = read_json(scratch_repo, "metrics/validation.json")
    assert validation["rows_in"] == 3000 and validation["rows_quarantined"] == 0
    assert validation["coerced"]["TotalCharges"]["blank_to_missing"] > 0  # " " -> missing
    drift = read_json(scratch_repo, "metrics/drift.json")
    assert drift["skipped"] and drift["drift"] is False
    assert read_json(scratch_repo, "metrics/evaluate/metrics.json")["test"]["roc_auc"] > 0.7
    score = read_json(scratch_repo, "metrics/score.json")
    assert score["rows_in"] == score["rows_scored"] == 600  # the random test split


def test_a_newest_export_without_labels_is_scored_not_quarantined(scratch_repo: Path, tmp_path):
    """Production: June's churn is not known yet. Train and test on the labelled months, score
    June's customers."""
    exports = tmp_path / "exports"
    shutil.copytree(scratch_repo / "data/raw", exports)
    newest = sorted(exports.glob("*.csv"))[-1]
    june = pd.read_csv(newest).assign(churned="")
    june.to_csv(newest, index=False)
    set_params(scratch_repo, **{"ingest.source": str(exports)})
    run(scratch_repo, "dvc", "repro")
    counts = read_json(scratch_repo, "metrics/validation.json")
    assert counts["rows_unlabelled"] == len(june) and counts["rows_quarantined"] == 0
    assert counts["rows_in"] == counts["rows_valid"] + counts["rows_unlabelled"]
    test = pd.read_parquet(scratch_repo / "data/interim/split/test.parquet")
    assert test["snapshot_month"].max() < pd.Timestamp(june["snapshot_month"].iloc[0])
    scores = pd.read_parquet(scratch_repo / "data/scores/scores.parquet")
    assert sorted(scores["id"]) == sorted(june["customer_id"])
