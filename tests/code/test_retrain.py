"""Continuous-training helpers: advancing the generator by a month, the newest snapshot that
`make drift-check` compares with the model's training window, and the retrain decision."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from churn.errors import ChurnError
from churn.generate import main as generate_main
from churn.params import load_section
from churn.retrain import advance_months, decide, main, newest_snapshot
from tests.helpers import REPO

PARAMS = """\
# comment
generate:
  customers: 20000  # keep
  months: 6             # number of snapshots
  seed: 7

train:
  months: 99
"""


def test_advance_months_changes_only_generate_months_and_keeps_comments():
    text, months = advance_months(PARAMS)
    assert months == 7
    assert text == PARAMS.replace("months: 6 ", "months: 7 ")


def test_advance_months_fails_clearly_without_the_key():
    with pytest.raises(ChurnError, match="generate.months"):
        advance_months("generate:\n  seed: 7\ntrain:\n  months: 3\n")


def test_newest_snapshot_is_the_last_month(tmp_path, capsys):
    params = load_section("generate", REPO / "params.yaml")
    assert newest_snapshot(params, tmp_path) == tmp_path / "snapshot_2026-06.csv"
    main(["newest", "--params", str(REPO / "params.yaml"), "--raw-dir", str(tmp_path)])
    assert capsys.readouterr().out == f"{tmp_path / 'snapshot_2026-06.csv'}\n"


def test_make_drift_check_compares_the_newest_month_with_the_training_window(tmp_path):
    """The month before as reference missed gradual drift the drift stage reports; the check
    compares as the stage and `make drift-batch` do. A fake python logs what make runs."""
    log = tmp_path / "calls.log"
    fake = tmp_path / "python"
    fake.write_text(
        f'#!/bin/sh\necho "$*" >> {log}\n'
        f'[ "$2 $3" = "churn.retrain newest" ] && exec {sys.executable} "$@"\nexit 0\n'
    )
    fake.chmod(0o755)
    make = ["make", "-s", "-C", str(REPO), "-o", ".venv/.installed", f"BIN={tmp_path}"]
    result = subprocess.run(
        [*make, "drift-check", f"DRIFT_RESULT={tmp_path / 'drift.json'}"], capture_output=True
    )
    assert result.returncode == 0, result.stderr
    [check] = [line for line in log.read_text().splitlines() if "churn.drift check" in line]
    assert check.startswith(
        "-m churn.drift check --reference data/interim/customers.parquet --training-window "
        "--current data/raw/snapshot_2026-06.csv --model models/model.json"
    ), check


def test_decide_follows_the_drift_flag():
    retrain, line = decide({"drift": True, "reason": "3 features drifted", "share_drifted": 0.6})
    assert retrain
    assert line == "Retrain: yes, drift check: 3 features drifted (share of drifted features 0.60)"
    retrain, line = decide({"drift": False, "reason": "below threshold"})
    assert not retrain
    assert line == "Retrain: no, drift check: below threshold"
    with pytest.raises(ChurnError, match="'drift' must be true or false"):
        decide({"reason": "x"})


def test_decide_cli_writes_the_step_output_and_summary(tmp_path, capsys):
    drift = tmp_path / "drift.json"
    drift.write_text('{"drift": false, "reason": "no feature drifted", "share_drifted": 0.0}')
    output, summary = tmp_path / "output", tmp_path / "summary.md"
    main(["decide", "--drift", str(drift), "--output", str(output), "--summary", str(summary)])
    assert output.read_text() == "retrain=false\n"
    assert (
        summary.read_text()
        == "Retrain: no, drift check: no feature drifted (share of drifted features 0.00)\n"
    )
    with pytest.raises(ChurnError, match="file not found"):
        main(["decide", "--drift", str(tmp_path / "absent.json")])


def test_advance_with_a_missing_or_folder_params_file_is_one_line(tmp_path):
    with pytest.raises(ChurnError, match=r"nope\.yaml: file not found"):
        main(["advance", "--params", str(tmp_path / "nope.yaml")])
    with pytest.raises(ChurnError, match="a folder, not a file"):
        main(["advance", "--params", str(tmp_path)])
    other = tmp_path / "other.yaml"
    other.write_text("generate:\n  seed: 7\n")
    with pytest.raises(ChurnError, match=r"other\.yaml: no 'generate\.months'"):
        main(["advance", "--params", str(other)])


def test_decide_with_a_non_number_share_or_an_unwritable_output_is_one_line(tmp_path):
    drift = tmp_path / "drift.json"
    drift.write_text('{"drift": true, "reason": "x", "share_drifted": "many"}')
    with pytest.raises(ChurnError, match=r"drift\.json: field 'share_drifted' must be a number"):
        main(["decide", "--drift", str(drift)])
    drift.write_text('{"drift": true, "reason": "x", "share_drifted": 0.2}')
    output = tmp_path / "absent" / "output"
    with pytest.raises(ChurnError, match=r"absent/output: cannot be written"):
        main(["decide", "--drift", str(drift), "--output", str(output)])


@pytest.mark.parametrize(
    ("start", "months", "last"),
    [("9999-11", 3, "10000-01"), ("2026-01", 10**9, "83335359-04"), ("1600-01", 2, "1600-02")],
)
def test_snapshot_months_outside_the_dates_pandas_holds_are_one_line(tmp_path, start, months, last):
    """generate wrote the snapshots up to 9999-12, then ended in a NotImplementedError traceback
    (strftime of year 10000); 10**9 months ran on for ever; retrain newest named a 10000-01 file."""
    params = tmp_path / "params.yaml"
    text = (REPO / "params.yaml").read_text()
    params.write_text(
        text.replace("start_month: 2026-01", f"start_month: {start}")
        .replace("months: 6", f"months: {months}")
        .replace("customers: 20000", "customers: 10")
    )
    message = f"generate.start_month {start} and generate.months {months} run to {last}: "
    with pytest.raises(ChurnError, match=re.escape(message)):
        generate_main(["--out", str(tmp_path / "raw"), "--params", str(params)])
    with pytest.raises(ChurnError, match=re.escape(message)):
        main(["newest", "--params", str(params), "--raw-dir", str(tmp_path)])
