"""The new-column story through the real dvc CLI: reported, drift fires, `include` retrains."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
import yaml

from churn.contract import infer_contract
from churn.contract_spec import Contract
from churn.generate import VIDEO_COLUMN
from churn.params import load_section
from tests.helpers import run, set_params, stages_run
from tests.workflow_runner import use_test_venv

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


def test_make_drift_batch_on_the_newest_month_gives_the_drift_stage_verdict(scratch_repo: Path):
    """Its default reference was split/train.parquet, which validate stripped of the column the
    contract ignores: the newest month, which has it, was a schema change (RETRAIN, make failed)
    where the stage, comparing the raw training window, said ok."""
    stage = read_json(scratch_repo, "metrics/drift.json")
    newest = f"data/raw/snapshot_{stage['current_snapshots'][0]}.csv"
    command = ["make", "drift-batch", f"CURRENT={newest}"]
    env = use_test_venv(scratch_repo)
    result = subprocess.run(command, cwd=scratch_repo, env=env, capture_output=True, text=True)
    assert result.returncode == (2 if stage["drift"] else 0), result.stdout + result.stderr
    assert f"drift: {'RETRAIN' if stage['drift'] else 'ok'}: {stage['reason']}" in result.stdout
    checked = read_json(scratch_repo, "metrics/drift_check.json")
    assert checked["new_columns"] == [] and checked["ignored_columns"] == [VIDEO_COLUMN]
    assert checked == stage  # the same rows compared: the same statistics and decision


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
    # the contract validate inferred and applied, which the score stage and the API apply
    frame = pd.read_parquet(scratch_repo / "data/interim/customers.parquet")
    inferred = infer_contract(frame, load_section("data", scratch_repo / "params.yaml"))
    assert Contract.load(scratch_repo / "models/contract.yaml").columns == inferred.columns
    lock = yaml.safe_load((scratch_repo / "dvc.lock").read_text())["stages"]["score"]
    assert "models/contract.yaml" in [dep["path"] for dep in lock["deps"]]


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
    (exports / "backup").mkdir()  # a copy that ingest.files leaves out (read, every row of
    shutil.copy(newest, exports / "backup" / newest.name)  # June would be a repeated id)
    set_params(scratch_repo, **{"ingest.source": str(exports), "ingest.files": "snapshot_*.csv"})
    run(scratch_repo, "dvc", "repro")
    counts = read_json(scratch_repo, "metrics/validation.json")
    assert counts["rows_unlabelled"] == len(june) and counts["rows_quarantined"] == 0
    assert counts["rows_in"] == counts["rows_valid"] + counts["rows_unlabelled"]
    test = pd.read_parquet(scratch_repo / "data/interim/split/test.parquet")
    assert test["snapshot_month"].max() < pd.Timestamp(june["snapshot_month"].iloc[0])
    scores = pd.read_parquet(scratch_repo / "data/scores/scores.parquet")
    assert sorted(scores["id"]) == sorted(june["customer_id"])


def dated_exports(folder: Path, months: int = 4, rows: int = 600) -> None:
    """Monthly exports dated on every day of their month, ten rows of each without a date."""
    import numpy as np

    rng = np.random.default_rng(0)
    folder.mkdir()
    for month in range(1, months + 1):
        tenure = rng.integers(0, 72, rows)
        plan = rng.choice(["Month-to-month", "One year", "Two year"], rows)
        logit = -2 + (72 - tenure) / 100 + (plan == "Month-to-month")
        dates = [f"2025-{month:02d}-{1 + i % 28:02d}" for i in range(rows)]
        frame = pd.DataFrame(
            {
                "CustomerID": [f"{i:07d}" for i in rng.choice(2 * rows, rows, replace=False)],
                "SnapshotDate": [""] * 10 + dates[10:],
                "Tenure": tenure,
                "MonthlyCharges": rng.uniform(20, 120, rows).round(2),
                "Contract": plan,
                "Churn": np.where(rng.random(rows) < 1 / (1 + np.exp(-logit)), "Yes", "No"),
            }
        )
        frame.to_csv(folder / f"export_2025-{month:02d}.csv", index=False)


def test_snapshots_are_calendar_months_and_rows_without_a_date_are_quarantined(
    scratch_repo: Path, tmp_path: Path
):
    """Dates spread within each month: the test split and drift's newest snapshot were the rows
    of the last date only; rows without a date were in no split and no count. The contract,
    frozen outside contracts/, is one dvc.yaml does not watch: validate says so."""
    dated_exports(tmp_path / "exports")
    exports = str(tmp_path / "exports")
    own = {"target": "Churn", "positive_label": "Yes", "id": "CustomerID"}
    own["timestamp"] = "SnapshotDate"
    set_params(scratch_repo, **{"ingest.source": exports, "data.contract": ""},
               **{f"data.{key}": value for key, value in own.items()})  # fmt: skip
    inferred = run(scratch_repo, "python", "-m", "churn.contract", "infer", exports)
    (tmp_path / "mine.yaml").write_text(inferred.stdout)
    set_params(scratch_repo, **{"data.contract": str(tmp_path / "mine.yaml")})
    result = run(scratch_repo, "dvc", "repro")
    assert f"validate: warning: {tmp_path / 'mine.yaml'} is outside contracts/" in (
        result.stderr + result.stdout
    )
    counts = read_json(scratch_repo, "metrics/validation.json")
    assert counts["quarantined_by_reason"] == {"null:SnapshotDate": 40}
    assert counts["rows_in"] == counts["rows_valid"] + counts["rows_quarantined"] == 2400
    parts = {
        name: pd.read_parquet(scratch_repo / f"data/interim/split/{name}.parquet")
        for name in ("train", "valid", "test")
    }
    assert sum(map(len, parts.values())) == counts["rows_valid"]
    assert set(parts["test"]["SnapshotDate"].dt.month) == {4} and len(parts["test"]) == 590
    assert set(parts["train"]["SnapshotDate"].dt.month) == {1, 2, 3}
    drift = read_json(scratch_repo, "metrics/drift.json")
    assert "skipped" not in drift  # compared: the whole of April against the whole of March
    assert (drift["reference_rows"], drift["current_rows"]) == (590, 590)
