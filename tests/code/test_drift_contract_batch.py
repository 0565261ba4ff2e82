"""`drift check --contract` reads a batch to score (no label, or a label column holding none) as
batch scoring reads it: no row is left out for a blank or unreadable data.timestamp (scoring
reads no snapshot), its blank labels (scoring ignores the label column) or a column the model
does not read (scoring checks none)."""

from __future__ import annotations

import json
from pathlib import Path

from churn.data_params import Policies
from churn.drift import main as drift
from tests.code.test_drift_contract import months, run_validate, write_inputs

DEFAULTS = Policies()


def check_batch(tmp_path, monkeypatch, edit, policies=DEFAULTS) -> dict:
    """drift check --contract of April (edited) against March, after validate wrote the contract."""
    monkeypatch.chdir(tmp_path)
    frames = months(65)
    write_inputs(tmp_path, frames, policies)
    run_validate(tmp_path)
    frames[2].to_csv("march.csv", index=False)
    edit(frames[3]).to_csv("april.csv", index=False)
    check = ["check", "--reference", "march.csv", "--current", "april.csv", "--out", "drift.json"]
    drift([*check, "--features", "features.json", "--contract", "models/contract.yaml"])
    return json.loads(Path("drift.json").read_text())


def test_a_batch_without_dates_keeps_its_rows_as_batch_scoring_does(tmp_path, monkeypatch):
    """A batch without the label, some rows with a blank or unreadable month: batch scoring
    scores them; the check left them out as null:month and type:month."""

    def undated(april):
        april = april.drop(columns="churned").astype(object)
        april.loc[:49, "month"], april.loc[50:59, "month"] = None, "soon"
        return april

    report = check_batch(tmp_path, monkeypatch, undated)
    assert report["current_rows"] == 1000 and "quarantined_rows" not in report


def test_a_batch_whose_label_column_is_blank_is_a_batch(tmp_path, monkeypatch):
    """An export with an empty label column: every row was quarantined as null:churned and the
    check stopped saying the file `has 0 rows`."""
    report = check_batch(tmp_path, monkeypatch, lambda april: april.assign(churned=""))
    assert report["current_rows"] == 1000 and "quarantined_rows" not in report


def test_a_batch_column_the_model_does_not_read_leaves_no_row_out(tmp_path, monkeypatch):
    """The contract's 0/1 promo flag, which the model does not read, holding counts in a batch
    without labels: batch scoring scores those rows; the check left them out as type:promo."""

    def counts(april):
        return april.drop(columns="churned").assign(promo=[0, 1, 2, 3, 4] * 200)

    report = check_batch(tmp_path, monkeypatch, counts, Policies(type_change="quarantine"))
    assert report["current_rows"] == 1000 and "quarantined_rows" not in report
