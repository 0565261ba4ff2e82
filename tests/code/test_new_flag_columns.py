"""A 0/1 column outside the contract that contract.new_column: include keeps is a flag to
validate: the rows to score are held to it (a 2 made missing, yes/no read as 1/0). The model's
artifacts did not say so: batch scoring and the API read it as a number, scoring the 2 as 2 (a
value training never saw) and refusing the yes/no validate accepted. featurize now records it
(FeatureSpec.flags) and scoring reads it as validate does."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from pydantic import ValidationError

from churn import featurize, predict, train
from churn.artifacts import load_workspace
from churn.data_params import Policies
from churn.errors import ChurnError
from churn.features import FeatureSpec
from churn.request_model import build_request_model
from churn.serve import score_records
from tests.code.test_drift_contract import VIDEO, months, run_validate, write_inputs
from tests.helpers import REPO

FLAG = "watched_video_tutorials"  # outside the contract, 0/1 from the first month
TWOS = 10  # rows of the newest month whose flag is 2


def flag_months(seed: int) -> list[pd.DataFrame]:
    """Four monthly snapshots with FLAG (the label, now and then flipped: the model reads it);
    April unlabelled, its first TWOS flags 2."""
    rng = np.random.default_rng(seed)
    frames = months(seed)
    for frame in frames:
        noise = rng.random(len(frame)) < 0.2
        frame[FLAG] = np.where(noise, 1 - frame["churned"], frame["churned"]).astype(object)
    frames[-1]["churned"] = None
    frames[-1].loc[: TWOS - 1, FLAG] = 2
    return frames


def trained_on(folder: Path, frames: list[pd.DataFrame]) -> dict:
    """validate, featurize (January and February to train, March to validate and test) and
    train (logistic regression) in folder, as the pipeline runs them; validate's counts."""
    write_inputs(folder, frames, Policies(new_column="include", type_change="fail"))
    params = yaml.safe_load((REPO / "params.yaml").read_text())
    written = json.loads((folder / "params.yaml").read_text())
    params["data"], params["contract"] = written["data"], written["contract"]
    params["train"]["model"] = "logistic_regression"
    (folder / "params.yaml").write_text(yaml.safe_dump(params))
    counts = run_validate(folder)
    valid = pd.read_parquet(folder / "valid.parquet")
    months_of = valid["month"].dt.month
    (folder / "split").mkdir()
    for name, rows in (
        ("train", months_of < 3),
        ("valid", months_of == 3),
        ("test", months_of == 3),
    ):
        valid[rows].to_parquet(folder / "split" / f"{name}.parquet")
    featurize.main(["--split-dir", "split", "--out-dir", "proc", "--spec", "features.json"])
    train.main(["--train", "proc/train.parquet", "--valid", "proc/valid.parquet",
                "--model", "model.json", "--live-dir", "live"])  # fmt: skip
    return counts


def scored(rows: pd.DataFrame, name: str) -> tuple[pd.DataFrame, dict]:
    """churn.predict's main on rows (written as CSV text): the scores and the summary."""
    rows.to_csv(f"{name}.csv", index=False)
    predict.main(["--input", f"{name}.csv", "--output", f"{name}.out.csv",
                  "--model", "model.json", "--features", "features.json",
                  "--summary", f"{name}.json"])  # fmt: skip
    return pd.read_csv(f"{name}.out.csv"), json.loads(Path(f"{name}.json").read_text())


@pytest.fixture(scope="module")
def flagged(tmp_path_factory) -> tuple[Path, list[pd.DataFrame], dict]:
    folder = tmp_path_factory.mktemp("flag")
    frames = flag_months(90)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        counts = trained_on(folder, frames)
    return folder, frames, counts


def april(frames: list[pd.DataFrame]) -> pd.DataFrame:
    return frames[-1].drop(columns=["churned", "month"])


def test_the_spec_records_the_flags_the_model_reads(flagged):
    """The new 0/1 column and promo (a contract flag; read by the contract's type) are flags,
    the new number column is none."""
    folder, _, _ = flagged
    spec = FeatureSpec.load(folder / "features.json")
    assert FLAG in spec.numeric and VIDEO in spec.numeric and spec.flags == ["promo", FLAG]


def test_a_2_validate_makes_missing_is_missing_to_batch_scoring(flagged, monkeypatch):
    """validate set April's 2s to missing values (text_to_missing); batch scoring scored them
    as the number 2, a value the model never saw."""
    folder, frames, counts = flagged
    monkeypatch.chdir(folder)
    assert counts["coerced"][FLAG] == {"text_to_missing": TWOS}
    assert pd.read_parquet("unlabelled.parquet")[FLAG][:TWOS].isna().all()
    twos, summary = scored(april(frames), "twos")
    blank = april(frames)
    blank.loc[: TWOS - 1, FLAG] = None
    blanks, _ = scored(blank, "blanks")
    assert summary["rows_scored"] == len(blank) and summary["rows_rejected"] == 0
    assert summary["coerced"] == {f"{FLAG}:text_to_missing": TWOS}
    pd.testing.assert_frame_equal(twos, blanks)


def test_yes_and_no_validate_reads_as_1_and_0_are_scored_so(flagged, tmp_path, monkeypatch):
    """validate read an April of yes/no as the flag; batch scoring refused the month (no longer
    numeric values, contract.type_change: fail) and the API each record."""
    folder, frames, _ = flagged
    monkeypatch.chdir(folder)
    numbers = april(frames).iloc[TWOS:]
    words = numbers.assign(**{FLAG: numbers[FLAG].map({0: "No", 1: " yes"})})
    numbers_out, _ = scored(numbers, "numbers")
    words_out, summary = scored(words, "words")
    assert summary["rows_rejected"] == 0
    pd.testing.assert_frame_equal(words_out, numbers_out)
    frames = [*frames[:-1], words.assign(month=frames[-1]["month"][TWOS:], churned=None)]
    write_inputs(tmp_path, frames, Policies(new_column="include", type_change="fail"))
    monkeypatch.chdir(tmp_path)
    run_validate(tmp_path)
    read = pd.read_parquet("unlabelled.parquet")[FLAG]
    assert read.tolist() == numbers[FLAG].astype(float).tolist()


def test_the_api_reads_the_new_flag_as_validate_does(flagged):
    """A record's "yes" was refused (a JSON number expected), its 2 taken as a number: now the
    field reads a flag's spellings, scored as 1 and 0 are, and refuses a 2 as any flag's."""
    folder, _, _ = flagged
    artifacts = load_workspace(folder / "model.json", folder / "features.json",
                               folder / "params.yaml", folder / "contract.yaml")  # fmt: skip
    record = build_request_model(artifacts.contract, artifacts.spec, "customer_id")
    fields = {"spend": 1.0, "plan": "free", "promo": 0, VIDEO: 12.5}
    spelt = [record.model_validate({**fields, FLAG: text}) for text in ("yes", " NO")]
    numbers = [record.model_validate({**fields, FLAG: number}) for number in (1, 0)]
    assert [getattr(row, FLAG) for row in spelt] == [True, False]
    scores = [score_records(rows, artifacts)["predictions"] for rows in (spelt, numbers)]
    assert scores[0] == scores[1] and scores[0][0] != scores[0][1]
    with pytest.raises(ValidationError, match=FLAG):
        record.model_validate({**fields, FLAG: 2})


def test_a_spec_without_flags_reads_and_writes_as_before():
    """Specs written before flags existed read with none; a spec without flags writes no key
    (the default pipeline's features.json keeps its bytes); flags must be names."""
    spec = FeatureSpec(["spend", "promo"], {}, [], ["churned"])
    assert "flags" not in spec.to_json() and FeatureSpec.from_json(spec.to_json()) == spec
    flagged = FeatureSpec(["spend", "promo"], {}, [], ["churned"], flags=["promo"])
    assert json.loads(flagged.to_json())["flags"] == ["promo"]
    assert FeatureSpec.from_json(flagged.to_json()) == flagged
    odd = json.loads(flagged.to_json()) | {"flags": [1]}
    with pytest.raises(ChurnError, match="flags: expected names as text, got a JSON number"):
        FeatureSpec.from_json(json.dumps(odd), "f.json")
