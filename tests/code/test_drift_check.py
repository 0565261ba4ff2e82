"""`churn.drift check` on bad input: outputs that cannot be written, plots without --out."""

import json
import subprocess
import sys

import numpy as np
import pytest

from churn.data_params import Policies
from churn.drift import main
from churn.errors import ChurnError
from tests.code.test_drift import DATA, PARAMS, SPEC, batch


def write_params(folder, missing: str = "fail") -> None:
    contract = Policies(missing_column=missing).__dict__
    params = {"data": DATA.__dict__, "drift": PARAMS.__dict__, "contract": contract}
    (folder / "params.yaml").write_text(json.dumps(params))


def check_argv(folder, reference, current, missing: str = "fail") -> list[str]:
    """Arguments of `drift check` in folder, its model's feature spec being SPEC."""
    reference.to_csv(folder / "reference.csv", index=False)
    current.to_csv(folder / "current.csv", index=False)
    (folder / "features.json").write_text(SPEC.to_json())
    write_params(folder, missing)
    argv = ["check", "--reference", "reference.csv", "--current", "current.csv"]
    return [*argv, "--params", "params.yaml", "--features", "features.json"]


def check(folder, reference, current, *options: str, missing: str = "fail"):
    """`python -m churn.drift check` in folder: its exit code and one-line error."""
    command = [sys.executable, "-m", "churn.drift"]
    command += [*check_argv(folder, reference, current, missing), *options]
    return subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=120)


def check_in(folder, monkeypatch, reference, current, *options: str, missing: str = "fail"):
    """churn.drift's main in folder (faster than a process; errors raised, not printed)."""
    monkeypatch.chdir(folder)
    main([*check_argv(folder, reference, current, missing), *options])


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
