"""A column of numbers written with decimal commas ('12,5') in data read with data.decimal '.',
typed from its values: contract inference, and under contract.new_column: include validate and
drift (stage and check), stop on it alike, in one line naming the file and the column."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from churn.contract import infer_contract
from churn.errors import ChurnError
from churn.number_text import PLAIN_NUMBERS_HINT
from tests.code.test_drift import DATA, SPEC, batch, run_main, with_video
from tests.code.test_drift_check import check_in
from tests.code.test_validate_stage import including_new_columns, run, setup

HINT = "decimal commas? set data.decimal: ','"


def comma_text(values: pd.Series) -> pd.Series:
    """Numbers as a European spreadsheet writes them: 5.25 -> '5,3'."""
    return values.map(lambda value: f"{value:.1f}".replace(".", ","))


def dollar_text(values: pd.Series) -> pd.Series:
    """Numbers as a US billing export writes them: 5.25 -> '$5.25'."""
    return values.map(lambda value: f"${value:.2f}")


def stop_message(file: str, column: str, rows: str, example: str, outcome: str) -> str:
    """The one-line error of type_changes.refuse_numbers_as_text."""
    hint = HINT if "," in example else PLAIN_NUMBERS_HINT.removeprefix("; ")
    detail = f"({rows} rows, e.g. {example!r}; {hint})"
    return f"{file}: column '{column}' holds numbers, not categories {detail}{outcome}"


def video_batch(seed: int) -> pd.DataFrame:
    """A batch of 1000 rows whose new column 'video' is written with decimal commas."""
    rng = np.random.default_rng(seed)
    frame = with_video(batch(rng, 1000), rng)
    return frame.assign(video=comma_text(frame["video"]))


def stop_in_inference(tmp_path, monkeypatch) -> None:
    infer_contract(video_batch(40).head(4).assign(month="2026-01-01"), DATA, "in.csv")


def stop_in_validate(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    params = including_new_columns(setup(tmp_path, "contracts/strict.yaml"))
    frame = pd.read_parquet(tmp_path / "in.parquet")
    frame.assign(video=video_batch(40).head(4)["video"].to_numpy()).to_parquet("in.parquet")
    run(tmp_path, params)


def stop_in_drift_check(tmp_path, monkeypatch) -> None:
    """Under contract.new_column: include, where retraining would train on the new column."""
    reference = batch(np.random.default_rng(41), 1000)
    check_in(tmp_path, monkeypatch, reference, video_batch(40), new_column="include")


def stop_in_drift_stage(tmp_path, monkeypatch) -> None:
    """The newest of three monthly snapshots brings the new column (make repro's drift stage),
    under contract.new_column: include."""
    monkeypatch.chdir(tmp_path)
    rng = np.random.default_rng(41)
    months = [batch(rng, 1000).assign(month=m) for m in ("2026-01-01", "2026-02-01")]
    newest = video_batch(40).assign(month="2026-03-01")
    pd.concat([*months, newest], ignore_index=True).to_parquet("customers.parquet")
    run_main(tmp_path, "stage", "--data", "customers.parquet", policy="include")


PATHS = {  # how each path stops: the file it names, the rows counted, what it did not do
    "contract inference": (stop_in_inference, "in.csv", "4 of 4", ": no contract inferred"),
    "validate, new_column: include": (
        stop_in_validate,
        "in.parquet",
        "4 of 4",
        " (contract.new_column: include)",
    ),
    "drift check": (stop_in_drift_check, "current.csv", "1000 of 1000", ": drift not compared"),
    "drift stage": (
        stop_in_drift_stage,
        "customers.parquet",
        "1000 of 1000",
        ": drift not compared",
    ),
}


@pytest.mark.parametrize("path", list(PATHS))
def test_every_path_typing_a_new_column_stops_on_decimal_commas_alike(tmp_path, monkeypatch, path):
    """Drift typed the column by inference alone: categories (every value new) in the check and
    the stage, RETRAIN on a column that validate, rerun for the retraining, then stopped on."""
    stop, file, rows, outcome = PATHS[path]
    example = video_batch(40)["video"].iloc[0]
    with pytest.raises(ChurnError) as stopped:
        stop(tmp_path, monkeypatch)
    message = str(stopped.value)
    assert message.endswith(stop_message(file, "video", rows, example, outcome)), message
    assert "\n" not in message


@pytest.mark.parametrize("written", [comma_text, dollar_text])
def test_drift_stops_on_a_model_column_the_batch_writes_as_text(tmp_path, monkeypatch, written):
    """Typed as numbers by the reference, the batch's '52,3' (or '$52.30') read as no number at
    all, and numeric_stats compared nothing: `ok: 0 of 2 features drifted`, exit 0."""
    rng = np.random.default_rng(42)
    reference, current = batch(rng, 1000), batch(rng, 1000)
    current = current.assign(spend=written(current["spend"]))
    expected = stop_message(
        "current.csv", "spend", "1000 of 1000", current["spend"].iloc[0], ": drift not compared"
    )
    with pytest.raises(ChurnError, match=f"^{re.escape(expected)}$"):
        check_in(tmp_path, monkeypatch, reference, current, "--out", "d.json")
    assert not (tmp_path / "d.json").exists()


def test_a_column_the_model_leaves_out_by_policy_is_still_only_reported(tmp_path, monkeypatch):
    """Under contract.new_column: ignore validate leaves such a column untyped and it decides
    no retraining: drift compares it as before rather than stopping the pipeline on it."""
    monkeypatch.chdir(tmp_path)
    rng = np.random.default_rng(43)
    reference = with_video(batch(rng, 1000), rng)
    reference.to_csv("reference.csv", index=False)
    video_batch(44).to_csv("current.csv", index=False)
    (tmp_path / "features.json").write_text(SPEC.to_json())
    argv = ["check", "--reference", "reference.csv", "--current", "current.csv"]
    report = run_main(tmp_path, *argv, "--features", "features.json")
    row = report["features"]["video"]
    assert report["ignored_columns"] == ["video"] and row["ignored_column"]
    assert row["type"] == "numeric" and not report["drift"]


def test_inference_stops_on_a_label_of_decimal_comma_numbers_too():
    """Typed as categories, '1,0' and '0,0' held no data.positive_label 1: validate then said the
    label never occurs, without the setting to change. A label is typed by the same function."""
    frame = video_batch(45).head(4).drop(columns="video").assign(month="2026-01-01")
    frame = frame.assign(churned=["1,0", "0,0", "0,0", "1,0"])
    expected = stop_message("in.csv", "churned", "4 of 4", "1,0", ": no contract inferred")
    with pytest.raises(ChurnError, match=f"^{re.escape(expected)}$"):
        infer_contract(frame, DATA, "in.csv")
