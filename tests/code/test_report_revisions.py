"""The revisions the report names (BASE, from the branch a pull request goes into: git allows a
backtick and `<` in a branch name) are code spans whatever they hold: the title and the
different-rows note put them between backticks of their own, so a backtick in BASE ended the
span and `<details>` after it folded the rest of the report away."""

from __future__ import annotations

from churn.comparison import MetricRow
from churn.report_markdown import render_report
from tests.code.test_report_markdown import FILE, inputs

BASE = "origin/x`<details>"


def test_the_title_shows_a_base_holding_a_backtick_as_code():
    title = render_report(inputs(base=BASE)).splitlines()[0]
    assert title == "# Model report: `workspace` vs ``origin/x`<details>``"


def test_the_different_rows_note_shows_it_as_code_too():
    rows = [MetricRow(FILE, "test.rows", 100, 120), MetricRow(FILE, "test.roc_auc", 0.8, 0.81)]
    report = render_report(inputs(base=BASE, metrics=rows))
    note = next(line for line in report.splitlines() if line.startswith("**Different test rows"))
    assert "the metrics of ``origin/x`<details>`` are on" in note
