"""A column outside the contract (contract.new_column: include) whose months disagree is held
to contract.type_change whichever way the majority of its rows goes (a month of numbers among
months of text, or the reverse, had passed as categories); a flag whose export spelled it 0/1
one month and yes/no or true/false another is one flag (it had stopped as a type change, or
become a category per spelling). validate, drift (by the contract validate applied) and batch
scoring judge the same data alike."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from churn.artifacts import Artifacts
from churn.contract_spec import Contract
from churn.data_params import Policies
from churn.errors import ChurnError
from churn.new_column_types import new_column_kind
from churn.request_model import build_request_model
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
from tests.code.test_new_column_types import SPEC_VIDEO

SPEC_TEXT = replace(SPEC, categorical={**SPEC.categorical, VIDEO: ["low", "high", "__unknown__"]})
NOT_TEXT = f"column '{VIDEO}' no longer holds categorical values"


def filled(seed: int, months_of: list) -> list[pd.DataFrame]:
    """The four months, VIDEO (February on) filled month by month by months_of's functions."""
    frames, rng = months(seed), np.random.default_rng(seed)
    for frame, fill in zip(frames[1:], months_of, strict=True):
        frame[VIDEO] = fill(rng, len(frame))
    return frames


def words(rng, n):
    return rng.choice(["low", "high"], n)


def numbers(rng, n):
    return rng.normal(10, 2, n).round(1)


def flags(*spellings):
    return lambda rng, n: rng.choice(spellings, n)


def scored(rows: pd.DataFrame, policies: Policies, spec):
    """Batch scoring's contract checks of rows, the model reading VIDEO as spec has it."""
    artifacts = Artifacts(spec, None, 0.5, DATA, Contract.from_yaml(CONTRACT), policies, "t")
    return contract_for_scoring(rows, artifacts, "april.csv")


def test_a_month_of_numbers_in_a_column_of_text_stops_every_path(tmp_path, monkeypatch):
    """Two months of words, then a month of numbers: categorical by the majority of rows, the
    numbers passed as 1000 new levels; now a type change, as a month of text in numbers is."""
    monkeypatch.chdir(tmp_path)
    policies = Policies(new_column="include", type_change="fail")
    frames = filled(80, [words, words, numbers])
    write_inputs(tmp_path, frames, policies, SPEC_TEXT)
    in_april = f"{NOT_TEXT} in snapshot 2026-04-30 \\(1000 of 1000 rows, e.g. '"
    with pytest.raises(ChurnError, match=in_april):
        run_validate(tmp_path)
    with pytest.raises(ChurnError, match=in_april):
        run_stage("--contract", "contract.yaml")
    with pytest.raises(ChurnError, match=f"april.csv: {NOT_TEXT} \\(1000 of 1000 rows"):
        scored(frames[-1].drop(columns=["churned", "month"]), policies, SPEC_TEXT)


def test_the_minority_month_of_numbers_is_quarantined_alike(tmp_path, monkeypatch):
    """A month of numbers, then two of words: the numbers month is the one quarantined, by
    validate and drift alike; stray numbers among words stay categories."""
    monkeypatch.chdir(tmp_path)
    policies = Policies(new_column="include", type_change="quarantine")
    frames = filled(81, [numbers, words, words])
    frames[-1].loc[:9, VIDEO] = "12"
    write_inputs(tmp_path, frames, policies, SPEC_TEXT)
    counts = run_validate(tmp_path)
    assert counts["quarantined_by_reason"] == {f"type:{VIDEO}": 1000}
    assert json.loads(Path("schema.json").read_text())["retyped"] == [VIDEO]
    report = run_stage("--contract", "models/contract.yaml")
    assert report["quarantined_by_reason"] == counts["quarantined_by_reason"]
    valid = pd.read_parquet("valid.parquet")
    assert valid["month"].astype(str).value_counts().to_dict() == {
        "2026-01-31": 1000,
        "2026-03-31": 1000,
        "2026-04-30": 1000,
    }


@pytest.mark.parametrize("labelled", [True, False], ids=["labelled", "newest unlabelled"])
def test_a_flag_spelt_differently_each_month_is_one_flag(tmp_path, monkeypatch, labelled):
    """0/1 in February, yes/no in March, TRUE/False in April: one flag, 0/1 on every path; it
    stopped validate (`no longer holds numeric values in snapshot 2026-03-31`), or, yes/no
    first, became four categories."""
    monkeypatch.chdir(tmp_path)
    policies = Policies(new_column="include", type_change="fail")
    frames = filled(82, [flags("0", "1"), flags("yes", "No"), flags("TRUE", "False")])
    april = frames[-1].drop(columns=["churned", "month"])
    if not labelled:
        frames[-1]["churned"] = None
    write_inputs(tmp_path, frames, policies, SPEC_VIDEO)
    counts = run_validate(tmp_path)
    assert counts["rows_quarantined"] == 0 and VIDEO not in counts["coerced"]
    kept = [pd.read_parquet(f"{part}.parquet") for part in ("valid", "unlabelled")]
    kept = pd.concat(kept, ignore_index=True).astype({"month": str})
    truth = pd.concat(frames[1:], ignore_index=True)
    truth[VIDEO] = truth[VIDEO].str.casefold().isin(["1", "yes", "true"])
    yes = truth.groupby("month")[VIDEO].sum().tolist()
    assert kept.groupby("month")[VIDEO].sum().tolist() == [0, *yes]  # January: no VIDEO yet
    assert kept[VIDEO].notna().sum() == 3000
    assert "quarantined_rows" not in run_stage("--contract", "models/contract.yaml")
    # batch scoring holds the column to the model's numbers, as the API does: a batch of 0/1
    # scores, one spelt TRUE/False is refused, not read as a flag (see the test below)
    checked = scored(frames[1].drop(columns=["churned", "month"]), policies, SPEC_VIDEO)
    assert checked.reasons == [] and set(checked.valid[VIDEO]) == {0.0, 1.0}
    with pytest.raises(ChurnError, match=f"{VIDEO}' no longer holds numeric values .*'TRUE'"):
        scored(april, policies, SPEC_VIDEO)


def test_counts_beside_a_month_of_flag_words_still_change_type():
    """Only a column whose every value spells a flag is one: counts 0..5 stay numbers (a month
    of yes/no there is a type change), words stay categories."""
    spelt = pd.Series(["0", "1", "yes", "NO", "true", "False", None, ""])
    counts = pd.Series(["0", "1", "2", "5", "yes", "no"])
    kinds = [new_column_kind(column, "c", "x.csv", None) for column in (spelt, counts)]
    assert kinds == ["boolean", "numeric"]


def test_flag_words_in_a_column_the_model_reads_as_numbers_get_one_verdict_everywhere(
    tmp_path, monkeypatch
):
    """Minutes spent on tutorials (numbers in training), then a batch of yes/no: validate calls
    that month a type change and the API refuses 'yes' (a JSON number is asked); batch scoring
    read the batch as a flag, each yes scored as 1 minute, and a chunk holding one stray 2
    beside the yes/no as numbers (the yes/no then missing): the verdict on a row hung on the
    rows sharing its chunk. The feature spec does not say which numbers were a flag's."""
    monkeypatch.chdir(tmp_path)
    policies = Policies(new_column="include", type_change="fail")
    frames = filled(83, [numbers, numbers, flags("yes", "no")])
    write_inputs(tmp_path, frames, policies, SPEC_VIDEO)
    with pytest.raises(ChurnError, match="no longer holds numeric values in snapshot 2026-04-30"):
        run_validate(tmp_path)
    april = frames[-1].drop(columns=["churned", "month"])
    changed = f"april.csv: column '{VIDEO}' no longer holds numeric values \\(1000 of 1000"
    with pytest.raises(ChurnError, match=changed):
        scored(april, policies, SPEC_VIDEO)
    with pytest.raises(ChurnError, match=changed.replace("1000 of 1000", "999 of 1000")):
        scored(april.assign(**{VIDEO: ["2", *april[VIDEO][1:]]}), policies, SPEC_VIDEO)
    customer = build_request_model(Contract.from_yaml(CONTRACT), SPEC_VIDEO, "customer_id")
    record = {"customer_id": "C1", "spend": 1.0, "plan": "free", "promo": 0}
    assert customer.model_validate({**record, VIDEO: 3.5})
    with pytest.raises(ValidationError, match=VIDEO):
        customer.model_validate({**record, VIDEO: "yes"})
