"""Continuous-training helpers: advancing the generator by a month, and the retrain decision."""

from __future__ import annotations

from pathlib import Path

import pytest

from churn.errors import ChurnError
from churn.params import load_section
from churn.retrain import advance_months, decide, main, snapshot_files

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


def test_snapshot_files_are_the_last_two_months(tmp_path):
    params = load_section("generate", Path("params.yaml"))
    previous, newest = snapshot_files(params, tmp_path)
    assert (previous.name, newest.name) == ("snapshot_2026-05.csv", "snapshot_2026-06.csv")


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
