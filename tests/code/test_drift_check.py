"""`churn.drift check` on bad input: batches lacking model columns, outputs that cannot be written,
strict JSON, plots without --out, and the training window `make drift-batch` compares with."""

import json
import re
import shutil
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from churn.data_params import Policies
from churn.drift import drift_report, main
from churn.drift_outputs import write_report
from churn.errors import ChurnError
from tests.code.test_drift import DATA, PARAMS, SPEC, batch, with_video
from tests.fork_server import run_module
from tests.helpers import REPO, repo_env


def write_params(folder, missing: str = "fail", new_column: str = "ignore") -> None:
    contract = Policies(new_column=new_column, missing_column=missing).__dict__
    params = {"data": DATA.__dict__, "drift": PARAMS.__dict__, "contract": contract}
    (folder / "params.yaml").write_text(json.dumps(params))


def check_argv(folder, reference, current, missing: str = "fail", new_column="ignore") -> list[str]:
    """Arguments of `drift check` in folder, its model's feature spec being SPEC."""
    reference.to_csv(folder / "reference.csv", index=False)
    current.to_csv(folder / "current.csv", index=False)
    (folder / "features.json").write_text(SPEC.to_json())
    write_params(folder, missing, new_column)
    argv = ["check", "--reference", "reference.csv", "--current", "current.csv"]
    return [*argv, "--params", "params.yaml", "--features", "features.json"]


def check(folder, reference, current, *options: str, missing: str = "fail"):
    """`python -m churn.drift check` in folder (this tree's code): exit code and one-line error."""
    command = [sys.executable, "-m", "churn.drift"]
    command += [*check_argv(folder, reference, current, missing), *options]
    env = repo_env(REPO)
    return run_module(command, cwd=folder, env=env)


def check_in(
    folder, monkeypatch, reference, current, *options: str, missing="fail", new_column="ignore"
):
    """churn.drift's main in folder (faster than a process; errors raised, not printed)."""
    monkeypatch.chdir(folder)
    main([*check_argv(folder, reference, current, missing, new_column), *options])


def strict_json(path) -> dict:
    """The file's JSON, failing on NaN or Infinity (not JSON, though Python writes them)."""

    def refuse(name: str) -> None:
        raise AssertionError(f"{path}: {name} is not valid JSON")

    return json.loads(path.read_text(), parse_constant=refuse)


@pytest.mark.parametrize("side", ["current", "reference"])
def test_a_batch_lacking_columns_the_model_uses_is_bad_input(tmp_path, monkeypatch, side):
    """It used to pass the gate: `ok: 0 of 2 features drifted`, exit 0, NaN in drift.json."""
    rng = np.random.default_rng(20)
    frames = {"reference": batch(rng, 1000), "current": batch(rng, 1000)}
    frames[side] = frames[side].drop(columns=["spend"])
    expected = (
        f"{side}.csv: missing column(s) the model uses: spend (contract.missing_column: fail)"
    )
    with pytest.raises(ChurnError) as raised:
        check_in(tmp_path, monkeypatch, frames["reference"], frames["current"], "--out", "d.json")
    assert str(raised.value) == expected
    assert not (tmp_path / "d.json").exists()


@pytest.mark.parametrize("missing", ["fail", "impute"])
def test_a_batch_sharing_no_column_with_the_model_is_never_ok(tmp_path, monkeypatch, missing):
    """It said `ok: no retraining needed: 0 of 0 features drifted`, exit 0."""
    rng = np.random.default_rng(21)
    other = batch(rng, 1000)[["customer_id", "churned"]].assign(colour="red")
    with pytest.raises(ChurnError, match=r"^current.csv: .*\bspend\b"):
        check_in(tmp_path, monkeypatch, batch(rng, 1000), other, missing=missing)


def test_no_model_known_compares_nothing_is_refused_not_ok():
    rng = np.random.default_rng(22)
    roles = batch(rng, 1000)[["customer_id", "churned"]]
    with pytest.raises(ChurnError, match="no feature column in common to compare"):
        drift_report(roles, roles, PARAMS, DATA, ({}, None, {}), Policies())


def test_under_impute_a_missing_model_column_is_compared_as_all_missing_and_named(
    tmp_path, monkeypatch, capsys
):
    rng = np.random.default_rng(23)
    current = batch(rng, 1000).drop(columns=["spend"])
    with pytest.raises(SystemExit, match="1"):  # every value of spend gone: drifted
        check_in(
            tmp_path, monkeypatch, batch(rng, 1000), current, "--out", "d.json", missing="impute"
        )
    report = strict_json(tmp_path / "d.json")
    assert report["imputed_columns"] == ["spend"]
    assert report["features"]["spend"]["missing_rate_change"] == 1.0
    assert report["features"]["spend"]["drifted"]
    note = "spend missing, compared as all-missing (contract.missing_column: impute)"
    assert note in capsys.readouterr().out


def test_drift_json_is_strict_json_for_a_column_the_current_batch_lacks(tmp_path, monkeypatch):
    """A column the model ignores, absent from the current batch, got missing_rate_change NaN."""
    monkeypatch.chdir(tmp_path)
    rng = np.random.default_rng(24)
    with_video(batch(rng, 1000), rng).to_csv("reference.csv", index=False)
    batch(rng, 1000).to_csv("current.csv", index=False)
    (tmp_path / "features.json").write_text(SPEC.to_json())
    write_params(tmp_path)
    argv = ["check", "--reference", "reference.csv", "--current", "current.csv"]
    main([*argv, "--features", "features.json", "--params", "params.yaml", "--out", "d.json"])
    row = strict_json(tmp_path / "d.json")["features"]["video"]
    assert row["ignored_column"] and row["missing_rate_change"] == 1.0


def test_a_value_json_cannot_hold_is_written_as_null(tmp_path):
    write_report(
        {"a": float("nan"), "b": [float("inf"), 1.5], "c": {"d": -float("inf")}},
        tmp_path / "r.json",
    )
    assert strict_json(tmp_path / "r.json") == {"a": None, "b": [None, 1.5], "c": {"d": None}}


@pytest.mark.parametrize(
    ("option", "path", "why"),
    [
        ("--out", "/proc/x/d.json", "No such file or directory"),  # not even root can write
        ("--out", "folder", "a folder has that name"),
        ("--out", "file/d.json", "{tmp_path}/file is a file, not a folder"),
        ("--plots", "file", "a file has that name"),
        ("--plots", "/proc/x", "No such file or directory"),
    ],
)
def test_an_output_that_cannot_be_written_is_refused_before_the_comparison(
    tmp_path, monkeypatch, option, path, why
):
    """They gave a FileNotFoundError, IsADirectoryError or FileExistsError traceback and exit 1
    (the "retrain" code), after the comparison."""
    (tmp_path / "folder").mkdir()
    (tmp_path / "file").write_text("")
    rng = np.random.default_rng(25)
    too_small = batch(rng, 10)  # the comparison would refuse it: the destination comes first
    why = why.format(tmp_path=tmp_path.resolve())
    with pytest.raises(ChurnError) as raised:
        check_in(tmp_path, monkeypatch, batch(rng, 1000), too_small, option, path)
    assert str(raised.value) == f"{path}: cannot be written ({why})"


@pytest.mark.parametrize(
    ("drop", "option", "error"),
    [
        ("spend", "--out=d.json", "current.csv: missing column(s) the model uses: spend ("),
        (None, "--out=/proc/x/d.json", "/proc/x/d.json: cannot be written (No such file"),
    ],
)
def test_the_check_exits_2_with_one_line(tmp_path, drop, option, error):
    """Exit 0 ("ok") for the batch, exit 1 ("retrain") with a traceback for the output."""
    rng = np.random.default_rng(29)
    current = batch(rng, 1000).drop(columns=[drop] if drop else [])
    result = check(tmp_path, batch(rng, 1000), current, option)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith(f"churn.drift: error: {error}")
    assert len(result.stderr.splitlines()) == 1


def test_plots_are_written_without_out(tmp_path, monkeypatch):
    """--plots alone wrote nothing: the plots were only written beside --out's JSON."""
    monkeypatch.chdir(tmp_path)
    rng = np.random.default_rng(26)
    batch(rng, 1000).to_csv("reference.csv", index=False)
    batch(rng, 1000, shift=8.0).to_csv("current.csv", index=False)
    write_params(tmp_path)
    argv = ["check", "--reference", "reference.csv", "--current", "current.csv"]
    with pytest.raises(SystemExit, match="1"):
        main([*argv, "--params", "params.yaml", "--plots", "plots"])
    assert sorted(p.name for p in (tmp_path / "plots").iterdir()) == ["overview.png", "spend.png"]


def customers(rng) -> pd.DataFrame:
    """Three labelled monthly snapshots; from February on they have a column the model ignores
    (which validate drops from the split tables under contract.new_column: ignore)."""
    months = []
    for month in ("2026-01-01", "2026-02-01", "2026-03-01"):
        frame = batch(rng, 800).assign(month=month)
        months.append(frame if month == "2026-01-01" else with_video(frame, rng))
    return pd.concat(months, ignore_index=True)


def test_the_training_window_option_compares_what_the_stage_compares(tmp_path, monkeypatch):
    """make drift-batch compared with split/train.parquet, which validate stripped of the ignored
    column: a batch still having it was a schema change (RETRAIN), the stage said ok."""
    monkeypatch.chdir(tmp_path)
    frame = customers(np.random.default_rng(27))
    frame.to_parquet("customers.parquet")
    frame[frame["month"] == "2026-03-01"].to_parquet("newest.parquet")
    (tmp_path / "features.json").write_text(SPEC.to_json())
    write_params(tmp_path)
    common = ["--features", "features.json", "--params", "params.yaml"]
    main(["stage", "--data", "customers.parquet", *common, "--out", "stage.json"])
    argv = ["check", "--reference", "customers.parquet", "--training-window"]
    main([*argv, "--current", "newest.parquet", *common, "--out", "check.json"])
    stage, checked = strict_json(tmp_path / "stage.json"), strict_json(tmp_path / "check.json")
    assert checked["reference_snapshots"] == ["2026-02"]  # the latest training month
    assert checked == stage and checked["ignored_columns"] == ["video"]


def test_the_training_window_needs_snapshots(tmp_path, monkeypatch):
    """And says what to do instead: `make drift-batch CURRENT=new.csv`, the README's command, on
    own data without data.timestamp stopped naming the problem only."""
    monkeypatch.chdir(tmp_path)
    batch(np.random.default_rng(28), 600).to_csv("reference.csv", index=False)
    params = {"data": DATA.__dict__ | {"timestamp": ""}, "drift": PARAMS.__dict__}
    (tmp_path / "params.yaml").write_text(json.dumps(params | {"contract": Policies().__dict__}))
    argv = ["check", "--reference", "reference.csv", "--training-window"]
    expected = (
        "reference.csv: no training window without snapshots (data.timestamp: ''): compare with "
        "the data whole, without --training-window (make drift-batch REFERENCE=reference.csv ...)"
    )
    with pytest.raises(ChurnError, match=f"^{re.escape(expected)}$"):
        main([*argv, "--current", "reference.csv", "--params", "params.yaml"])


def make_dry_run(*variables: str) -> str:
    """The drift check command `make -n drift-batch` would run."""
    command = ["make", "-n", "-o", ".venv/.installed", "drift-batch", *variables]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=True)
    return next(line for line in result.stdout.splitlines() if "churn.drift check" in line)


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_drift_batch_compares_with_the_training_window_unless_given_a_reference():
    default = make_dry_run("CURRENT=new.csv")
    reference = "--reference data/interim/customers.parquet --training-window --current new.csv"
    assert reference in default and "split/train.parquet" not in default
    given = make_dry_run("CURRENT=new.csv", "REFERENCE=old.csv")
    assert "--reference old.csv --current new.csv" in given and "--training-window" not in given
    # the stage's months read as the stage reads them: by the contract validate applied there
    assert "--contract models/contract.yaml" in default and "--contract" not in given
