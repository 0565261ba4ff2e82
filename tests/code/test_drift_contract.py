"""drift reads the contract validate applied (models/contract.yaml, `--contract`): it types,
keeps and leaves out columns and rows as validate did, and counts the rows it leaves out, rows
without a snapshot among them. Each test runs validate itself on the same data and compares."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from churn.data_params import Policies
from churn.drift import main as drift
from churn.validate import main as validate
from tests.code.test_drift import DATA, PARAMS, SPEC, batch

CONTRACT = """version: 1
columns:
  customer_id: {role: id, type: categorical, nullable: false}
  month: {role: timestamp, type: datetime, nullable: false}
  spend: {role: feature, type: numeric, nullable: true}
  plan: {role: feature, type: categorical, nullable: false, categories: [free, plus]}
  promo: {role: feature, type: boolean, nullable: false}
  churned: {role: target, type: boolean, nullable: false}
"""
MONTHS = ("2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30")
VIDEO = "time_spent_on_video_tutorials"  # outside the contract, as in the built-in data


def months(seed: int) -> list[pd.DataFrame]:
    """Four monthly snapshots of 1000 customers, a 0/1 promo flag and, from February, VIDEO."""
    rng = np.random.default_rng(seed)
    frames = []
    for number, month in enumerate(MONTHS):
        frame = batch(rng, 1000).assign(month=month, promo=rng.integers(0, 2, 1000))
        if number:
            frame[VIDEO] = rng.normal(10, 2, 1000).round(1)
        frames.append(frame)
    return frames


def write_inputs(folder, frames, policies: Policies, spec=SPEC) -> None:
    """customers.parquet (every value as text, as ingest writes a column of mixed values),
    params.yaml, the contract and features.json in folder."""
    table = pd.concat(frames, ignore_index=True)
    table = (
        table.astype(object).where(table.notna(), None).map(lambda v: v if v is None else str(v))
    )
    table.to_parquet(folder / "customers.parquet")
    (folder / "contract.yaml").write_text(CONTRACT)
    data = replace(DATA, contract="contract.yaml").__dict__
    params = {"data": data, "drift": PARAMS.__dict__, "contract": policies.__dict__}
    (folder / "params.yaml").write_text(json.dumps(params))
    (folder / "features.json").write_text(spec.to_json())


def run_validate(folder) -> dict:
    """validate's metrics on customers.parquet; models/contract.yaml written."""
    outs = ["valid", "unlabelled", "quarantine"]
    validate(
        ["--input", "customers.parquet", "--contract", "contract.yaml"]
        + [arg for out in outs for arg in (f"--{out}-out", f"{out}.parquet")]
        + ["--metrics", "validation.json", "--schema", "schema.json"]
        + ["--contract-out", "models/contract.yaml"]
    )
    return json.loads((folder / "validation.json").read_text())


def run_stage(*options: str) -> dict:
    stage = ["stage", "--data", "customers.parquet", "--features", "features.json"]
    drift([*stage, *options, "--out", "drift.json"])
    return json.loads(Path("drift.json").read_text())


def test_a_new_column_validate_keeps_is_compared_as_validate_typed_it(tmp_path, monkeypatch):
    """contract.new_column: include, and the newest month writes a tenth of the new column as
    text: validate keeps its rows (stray words are missing values, the month kept its type);
    drift left the whole month out as quarantined and compared March with February instead."""
    monkeypatch.chdir(tmp_path)
    frames = months(60)
    frames[-1][VIDEO] = frames[-1][VIDEO].astype(object)
    frames[-1].loc[:99, VIDEO] = "n/a yet"
    spec = replace(SPEC, numeric=["spend", VIDEO])
    policies = Policies(new_column="include", type_change="quarantine")
    write_inputs(tmp_path, frames, policies, spec)
    counts = run_validate(tmp_path)
    assert counts["rows_quarantined"] == 0 and counts["coerced"][VIDEO] == {"text_to_missing": 100}
    report = run_stage("--contract", "models/contract.yaml")
    assert report["current_snapshots"] == ["2026-04"] and report["current_rows"] == 1000
    assert "quarantined_rows" not in report
    row = report["features"][VIDEO]
    assert row["type"] == "numeric" and row["missing_rate_change"] == 0.1


def test_a_flag_column_holding_counts_is_left_out_as_validate_quarantines_it(
    tmp_path, monkeypatch, capsys
):
    """A 0/1 contract flag that holds counts 0..5 in the newest month: validate quarantines
    those rows (contract.type_change: quarantine); drift read the counts as numbers and compared
    them, the flag drifted (PSI 0.6)."""
    monkeypatch.chdir(tmp_path)
    frames = months(61)
    frames[-1]["promo"] = np.random.default_rng(0).integers(0, 6, 1000)
    spec = replace(SPEC, numeric=["spend", "promo"])
    write_inputs(tmp_path, frames, Policies(type_change="quarantine"), spec)
    counts = run_validate(tmp_path)
    quarantined = counts["quarantined_by_reason"]
    assert list(quarantined) == ["type:promo"]
    report = run_stage("--contract", "models/contract.yaml")
    assert report["quarantined_by_reason"] == quarantined
    assert report["quarantined_rows"] == counts["rows_quarantined"]
    assert report["current_rows"] == 1000 - quarantined["type:promo"]
    assert not report["features"]["promo"]["drifted"]
    assert "type:promo" in capsys.readouterr().err


def test_without_a_contract_the_stage_keeps_reading_as_before(tmp_path, monkeypatch):
    """No --contract (a `drift check` of two files, or a stage run by hand): as before."""
    monkeypatch.chdir(tmp_path)
    frames = months(62)
    frames[-1]["promo"] = np.random.default_rng(0).integers(0, 6, 1000)
    spec = replace(SPEC, numeric=["spend", "promo"])
    write_inputs(tmp_path, frames, Policies(type_change="quarantine"), spec)
    report = run_stage()
    assert report["current_rows"] == 1000 and report["features"]["promo"]["drifted"]


def test_the_check_takes_the_contract_too(tmp_path, monkeypatch):
    """`drift check --contract`: the batch's rows that validate would quarantine are left out
    and counted, and its columns typed as validate types them."""
    monkeypatch.chdir(tmp_path)
    frames = months(63)
    frames[-1]["promo"] = np.random.default_rng(0).integers(0, 6, 1000)
    write_inputs(tmp_path, frames, Policies(type_change="quarantine"))
    run_validate(tmp_path)
    frames[2].to_csv("march.csv", index=False)
    frames[3].to_csv("april.csv", index=False)
    check = ["check", "--reference", "march.csv", "--current", "april.csv", "--out", "drift.json"]
    drift([*check, "--features", "features.json", "--contract", "models/contract.yaml"])
    report = json.loads(Path("drift.json").read_text())
    left_out = int((frames[3]["promo"] > 1).sum())
    assert report["quarantined_by_reason"] == {"type:promo": left_out}
    assert report["current_rows"] == 1000 - left_out


@pytest.mark.parametrize("contract", [False, True], ids=["without contract", "with contract"])
def test_rows_without_a_snapshot_are_counted_as_validate_counts_them(
    tmp_path, monkeypatch, capsys, contract
):
    """Rows whose data.timestamp is blank or no date belong to no month: validate quarantines
    them (null:month, type:month); drift left them out of both windows and said nothing."""
    monkeypatch.chdir(tmp_path)
    frames = months(64)
    frames[0].loc[:49, "month"] = None
    frames[0].loc[50:59, "month"] = "not a date"
    write_inputs(tmp_path, frames, Policies())
    counts = run_validate(tmp_path)
    expected = {"null:month": 50, "type:month": 10}
    assert counts["quarantined_by_reason"] == expected
    report = run_stage(*(["--contract", "models/contract.yaml"] if contract else []))
    assert report["quarantined_rows"] == 60 and report["quarantined_by_reason"] == expected
    err = capsys.readouterr().err
    assert (
        "drift: left out 60 row(s) that validate quarantines (no snapshot: data.timestamp " in err
    )
    assert "null:month 50, type:month 10" in err
