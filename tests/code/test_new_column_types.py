"""A column outside the contract that contract.new_column: include keeps is typed from the
months that hold it, then held to contract.type_change as a contract column is: a month of text
in a number column stops validate (fail) or is quarantined as type:COL (quarantine); it was only
counted as text_to_missing. drift (by the contract validate applied) and batch scoring (by the
type the model reads) judge the same data alike."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from churn.artifacts import Artifacts
from churn.contract_spec import Contract
from churn.data_params import Policies
from churn.errors import ChurnError
from churn.scoring_contract import contract_for_scoring
from tests.code.test_drift import DATA, SPEC
from tests.code.test_drift_contract import (
    CONTRACT,
    VIDEO,
    months,
    run_stage,
    run_validate,
    write_inputs,
)

SPEC_VIDEO = replace(SPEC, numeric=["spend", VIDEO])
CHANGED = f"column '{VIDEO}' no longer holds numeric values"
IN_APRIL = f"{CHANGED} in snapshot 2026-04-30 \\(1000 of 1000 rows"


def text_in_april(seed: int, policies: Policies, folder, labelled: bool = True) -> pd.DataFrame:
    """The four months in folder, April's VIDEO all text (and its labels blank unless
    labelled); April's rows, to score."""
    frames = months(seed)
    frames[-1][VIDEO] = "n/a yet"
    if not labelled:
        frames[-1]["churned"] = None
    write_inputs(folder, frames, policies, SPEC_VIDEO)
    return frames[-1].drop(columns=["churned", "month"])


def scored(rows: pd.DataFrame, policies: Policies):
    """Batch scoring's contract checks of rows (the model reads VIDEO as a number)."""
    artifacts = Artifacts(SPEC_VIDEO, None, 0.5, DATA, Contract.from_yaml(CONTRACT), policies, "t")
    return contract_for_scoring(rows, artifacts, "april.csv")


def test_a_month_of_text_stops_validate_drift_and_scoring_under_fail(tmp_path, monkeypatch):
    """type_change: fail: validate passed, the month's text silently missing values."""
    monkeypatch.chdir(tmp_path)
    policies = Policies(new_column="include", type_change="fail")
    april = text_in_april(70, policies, tmp_path)
    with pytest.raises(ChurnError, match=IN_APRIL):
        run_validate(tmp_path)
    with pytest.raises(ChurnError, match=IN_APRIL):
        run_stage("--contract", "contract.yaml")  # the contract validate would have applied
    with pytest.raises(ChurnError, match=f"april.csv: {CHANGED} \\(1000 of 1000 rows"):
        scored(april, policies)


def test_a_month_of_text_is_quarantined_by_validate_drift_and_scoring_alike(tmp_path, monkeypatch):
    """type_change: quarantine: validate quarantined nothing."""
    monkeypatch.chdir(tmp_path)
    policies = Policies(new_column="include", type_change="quarantine")
    april = text_in_april(71, policies, tmp_path)
    counts = run_validate(tmp_path)
    assert counts["quarantined_by_reason"] == {f"type:{VIDEO}": 1000}
    assert VIDEO not in counts["coerced"]  # rejected, not coerced to missing values
    report = run_stage("--contract", "models/contract.yaml")
    assert report["quarantined_by_reason"] == counts["quarantined_by_reason"]
    assert report["current_snapshots"] == ["2026-03"]  # April left out, as validate left it
    checked = scored(april, policies)
    assert checked.reasons == [f"type:{VIDEO}"] * 1000 and checked.valid.empty


def test_the_unlabelled_newest_month_is_held_to_the_type_of_the_labelled_ones(
    tmp_path, monkeypatch
):
    """The rows to score (April, no labels yet) were typed from their own values: the text made
    the column categories there, kept and handed to the score stage."""
    monkeypatch.chdir(tmp_path)
    policies = Policies(new_column="include", type_change="fail")
    text_in_april(72, policies, tmp_path, labelled=False)
    with pytest.raises(ChurnError, match=IN_APRIL):
        run_validate(tmp_path)
    with pytest.raises(ChurnError, match=IN_APRIL):
        run_stage("--contract", "contract.yaml")


def test_stray_words_stay_missing_values_on_every_path(tmp_path, monkeypatch):
    """A month that kept its type: its few words are text_to_missing, as in a contract column."""
    monkeypatch.chdir(tmp_path)
    policies = Policies(new_column="include", type_change="fail")
    frames = months(73)
    frames[-1][VIDEO] = frames[-1][VIDEO].astype(object)
    frames[-1].loc[:9, VIDEO] = "n/a yet"
    write_inputs(tmp_path, frames, policies, SPEC_VIDEO)
    counts = run_validate(tmp_path)
    assert counts["rows_quarantined"] == 0 and counts["coerced"][VIDEO] == {"text_to_missing": 10}
    checked = scored(frames[-1].drop(columns=["churned", "month"]), policies)
    assert checked.reasons == [] and checked.coerced[VIDEO] == {"text_to_missing": 10}
    assert np.isnan(checked.valid[VIDEO][:10]).all()
