"""A model column whose values on one side are mostly not of its type ('n/a yet', '16 sessions'
in a number column): drift (check and stage) stops, naming the file and the column, as batch
scoring refuses such a batch; a value that is not a number counts as missing, in the missing
rate as in the distribution."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from churn.data_params import Policies
from churn.drift import drift_report, main
from churn.drift_quarantine import without_quarantined
from churn.errors import ChurnError
from tests.code.test_drift import (
    DATA,
    PARAMS,
    SPEC,
    USES_SPEND_AND_PLAN,
    batch,
    run_main,
    with_missing,
)
from tests.code.test_drift_check import check_in

TEXTS = {
    "a word": lambda value: "n/a yet",
    "a number with a word": lambda value: f"{value:.0f} sessions",
}


def stop_message(file: str, holds: str, example: str) -> str:
    return (
        f"{file}: column 'spend' {holds} numeric values (1000 of 1000 rows, e.g. {example!r}): "
        "drift not compared"
    )


@pytest.mark.parametrize("text", list(TEXTS))
@pytest.mark.parametrize(
    ("side", "holds"), [("current", "no longer holds"), ("reference", "does not hold")]
)
def test_the_check_stops_on_a_number_column_written_as_text(
    tmp_path, monkeypatch, text, side, holds
):
    """The current side said `ok: 0 of 2 features drifted`, exit 0 (coerced to numbers it was
    empty: PSI 0, Wasserstein 0, missing_rate_change 0); the reference side typed the column as
    categories (every current value unseen)."""
    rng = np.random.default_rng(50)
    frames = {"reference": batch(rng, 1000), "current": batch(rng, 1000)}
    frames[side] = frames[side].assign(spend=frames[side]["spend"].map(TEXTS[text]))
    expected = stop_message(f"{side}.csv", holds, frames[side]["spend"].iloc[0])
    with pytest.raises(ChurnError, match=f"^{re.escape(expected)}$"):
        check_in(tmp_path, monkeypatch, frames["reference"], frames["current"], "--out", "d.json")
    assert not (tmp_path / "d.json").exists()


def test_the_stage_stops_on_a_half_missing_column_the_newest_snapshot_writes_as_text(
    tmp_path, monkeypatch
):
    """The stage compared nothing of it and reported missing_rate_change -0.5 (the text counted
    as present values)."""
    monkeypatch.chdir(tmp_path)
    rng = np.random.default_rng(51)
    months = []
    for month in ("2026-01-01", "2026-02-01", "2026-03-01"):
        spend = with_missing(batch(rng, 1000)["spend"], 0.5).map(str, na_action="ignore")
        months.append(batch(rng, 1000).assign(month=month, spend=spend))
    months[-1]["spend"] = "n/a yet"
    pd.concat(months, ignore_index=True).to_parquet("customers.parquet")
    expected = stop_message("customers.parquet", "no longer holds", "n/a yet")
    with pytest.raises(ChurnError, match=f"^{re.escape(expected)}$"):
        run_main(tmp_path, "stage", "--data", "customers.parquet")


def test_a_value_that_is_not_a_number_counts_as_missing():
    """A third of the batch's spend written 'unknown' (a minority: the column still holds
    numbers): the distribution left those rows out, the missing rate counted them present (0.0)."""
    rng = np.random.default_rng(52)
    reference, current = batch(rng, 2000), batch(rng, 2000)
    spend = current["spend"].astype(object).where(np.arange(2000) % 3 != 0, "unknown")
    report = drift_report(
        reference, current.assign(spend=spend), PARAMS, DATA, USES_SPEND_AND_PLAN, Policies()
    )
    row = report["features"]["spend"]
    assert row["type"] == "numeric" and row["missing_rate_change"] == 0.3335  # 667 of 2000
    assert row["drifted"] and report["drift"]


def test_a_category_column_is_compared_as_categories_whatever_its_values_look_like():
    """A category column the reference writes as codes (1, 2) and the batch as names: typed by
    the reference, it was compared as numbers, the names were all missing, and drift said ok."""
    rng = np.random.default_rng(53)
    reference, current = batch(rng, 2000), batch(rng, 2000)
    reference = reference.assign(plan=reference["plan"].map({"free": "1", "plus": "2"}))
    report = drift_report(reference, current, PARAMS, DATA, USES_SPEND_AND_PLAN, Policies())
    row = report["features"]["plan"]
    assert row["type"] == "categorical" and row["unseen_share"] == 1.0
    assert row["drifted"] and report["drift"]


def test_a_flag_column_written_as_words_on_one_side_is_the_same_column(tmp_path, monkeypatch):
    """0/1 in the reference, true/false in the current batch: batch scoring reads both, and the
    drift check stopped (`no longer holds numeric values ... e.g. 'true'`); as 1/0 they match."""
    rng = np.random.default_rng(52)
    flags = rng.integers(0, 2, 1000)
    reference = batch(rng, 1000).assign(spend=flags)
    current = batch(rng, 1000).assign(spend=np.where(flags == 1, "true", "False"))
    check_in(tmp_path, monkeypatch, reference, current, "--out", "d.json")
    row = pd.read_json(tmp_path / "d.json", typ="series")["features"]["spend"]
    assert row["type"] == "numeric" and row["psi"] == 0.0 and row["missing_rate_change"] == 0.0


TRAINING_WINDOW = ["check", "--reference", "customers.parquet", "--training-window"]


@pytest.mark.parametrize(
    "command",
    [["stage", "--data", "customers.parquet"], [*TRAINING_WINDOW, "--current", "march.parquet"]],
    ids=["stage", "check --training-window"],
)
def test_the_stage_leaves_out_the_rows_validate_quarantines_for_a_type_change(
    tmp_path, monkeypatch, command
):
    """Under contract.type_change: quarantine validate quarantines February, whose spend arrived
    as text ('47 sessions'), and the model trains without it; the stage took February as the
    latest training month and stopped `dvc repro` on it (`does not hold numeric values`), exit 2,
    and so did `make drift-batch`, which compares a batch with the stage's months. Both now
    compare the month before, and count the rows they left out."""
    monkeypatch.chdir(tmp_path)
    rng = np.random.default_rng(53)
    months = [batch(rng, 1000).assign(month=m) for m in ("2026-01-31", "2026-02-28", "2026-03-31")]
    months[1]["spend"] = months[1]["spend"].map(TEXTS["a number with a word"])
    for frame in months[::2]:  # one column of text in the file, as ingest wrote it
        frame["spend"] = frame["spend"].map(str)
    pd.concat(months, ignore_index=True).to_parquet("customers.parquet")
    months[2].to_parquet("march.parquet")
    (tmp_path / "features.json").write_text(SPEC.to_json())
    contract = Policies(type_change="quarantine").__dict__
    params = {"data": DATA.__dict__, "drift": PARAMS.__dict__, "contract": contract}
    (tmp_path / "params.yaml").write_text(json.dumps(params))
    main([*command, "--features", "features.json", "--out", "metrics/drift.json"])
    report = json.loads((tmp_path / "metrics" / "drift.json").read_text())
    assert report["reference_snapshots"] == ["2026-01"]  # not the quarantined February
    assert report["current_snapshots"] == ["2026-03"]
    assert report["quarantined_rows"] == 1000
    assert report["quarantined_by_reason"] == {"type:spend": 1000}
    assert report["features"]["spend"]["type"] == "numeric"


def test_a_row_left_out_for_two_columns_is_counted_once_as_validate_counts_it():
    """validate gives each quarantined row one reason (its first failed check, in column order),
    so its reasons add up to its quarantined rows; drift.json counted a row under every column
    that changed type in its snapshot: 60 rows left out, reasons adding up to 120."""
    stamps = ["2026-01-31"] * 60 + ["2026-02-28"] * 60
    frame = pd.DataFrame(
        {
            "month": stamps,
            "spend": ["5"] * 60 + ["5 EUR x"] * 60,
            "visits": ["1"] * 60 + ["many"] * 60,
        }
    )
    kinds = {"spend": "numeric", "visits": "numeric"}
    policies = Policies(type_change="quarantine")
    kept, counts = without_quarantined(frame, kinds, policies, DATA, "customers.parquet")
    assert len(kept) == 60 and counts["quarantined_rows"] == 60
    assert counts["quarantined_by_reason"] == {"type:spend": 60}
