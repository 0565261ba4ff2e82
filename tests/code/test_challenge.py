"""Champion against challenger: both models' metrics on the same rows, and the verdict."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from churn.challenge import Cut, challenge, parse_args, verdict
from churn.errors import ChurnError
from churn.params import GateParams
from churn.report import read_challenge
from churn.report_challenge import (
    as_strict_json,
    challenge_rows,
    challenge_section,
    check_challenge,
    shape_problem,
    stale_reason,
)

PARAMS = GateParams(
    headline="test.roc_auc", tolerances={"test.roc_auc": 0.01, "test.log_loss": 0.02}
)
CUT = Cut({"champion": 0.5, "challenger": 0.5}, 0.1)


def labelled_scores(seed: int = 0, rows: int = 4000) -> tuple[np.ndarray, np.ndarray]:
    """Labels, and scores that rank them well (ROC AUC about 0.9)."""
    generator = np.random.default_rng(seed)
    labels = (generator.random(rows) < 0.2).astype(int)
    scores = 1 / (1 + np.exp(-(2.5 * labels - 1.5 + generator.normal(0, 1, rows))))
    return labels, scores


def by_key(result) -> dict:
    return {row.key: row for row in result.rows}


def test_a_better_challenger_passes_and_the_rows_hold_both_models():
    labels, good = labelled_scores()
    worse = np.where(np.arange(len(good)) % 3 == 0, 1 - good, good)  # a third ranked upside down
    result = challenge(labels, {"champion": worse, "challenger": good}, CUT)
    rows = by_key(result)
    assert result.compared == len(labels) and result.rejected == {"champion": 0, "challenger": 0}
    assert rows["test.roc_auc"].new > rows["test.roc_auc"].base + 0.05
    assert "test.rows" not in rows and "test.churn_rate" not in rows  # the same for both
    line, passed = verdict(result, PARAMS, "origin/main", "test.parquet")
    assert passed and line.startswith("challenger vs champion `origin/main` on the same 4,000 rows")
    assert line.endswith("no metric worse than its tolerance")


def test_a_worse_challenger_fails_naming_the_metric_and_tolerance():
    labels, good = labelled_scores()
    worse = np.where(np.arange(len(good)) % 3 == 0, 1 - good, good)
    result = challenge(labels, {"champion": good, "challenger": worse}, CUT)
    line, passed = verdict(result, PARAMS, "origin/main", "test.parquet")
    assert not passed
    assert line.startswith("⚠ challenger worse than champion `origin/main` on the same 4,000 rows")
    assert "test.roc_auc worse by" in line and "(tolerance 0.01)" in line


def test_rows_one_model_rejected_are_left_out_of_both_and_counted():
    labels, scores = labelled_scores()
    champion = scores.copy()
    champion[:100] = np.nan  # its contract rejected them
    challenger = scores.copy()
    challenger[50:120] = np.nan
    result = challenge(labels, {"champion": champion, "challenger": challenger}, CUT)
    assert result.compared == len(labels) - 120
    assert result.rejected == {"champion": 100, "challenger": 70}
    # the same rows and scores on both sides: every metric equal
    assert all(row.base == row.new for row in result.rows)


def test_each_model_decides_at_its_own_threshold():
    labels, scores = labelled_scores()
    sides = {"champion": scores, "challenger": scores}
    result = challenge(labels, sides, Cut({"champion": 0.9, "challenger": 0.3}, 0.1))
    rows = by_key(result)
    assert rows["test.roc_auc"].base == rows["test.roc_auc"].new
    assert rows["test.recall"].new > rows["test.recall"].base  # the lower threshold


def test_no_champion_at_the_base_passes_and_says_so():
    line, passed = verdict(None, PARAMS, "main", "test.parquet")
    assert (
        passed and line == "no champion: `main` has no model, so the challenger has nothing to beat"
    )


def test_the_report_section_shows_versions_rejects_and_both_models():
    labels, scores = labelled_scores()
    champion = scores.copy()
    champion[:7] = np.nan
    result = challenge(labels, {"champion": champion, "challenger": scores}, CUT)
    written = {
        "verdict": verdict(result, PARAMS, "main", "t.parquet")[0],
        "versions": {"champion": "abc+md5:1", "challenger": "workspace+md5:2"},
        "rejected": result.rejected,
        "metrics": [{"key": r.key, "champion": r.base, "challenger": r.new} for r in result.rows],
    }
    text = "\n".join(challenge_section(written))
    assert "## Champion and challenger on the same rows" in text
    assert "- champion: `abc+md5:1`" in text and "- challenger: `workspace+md5:2`" in text
    assert "champion 7, challenger 0" in text
    assert "| test.roc_auc |" in text


def test_the_report_lists_a_missing_challenge_file_as_not_available(tmp_path):
    written, missing = read_challenge(tmp_path / "challenge.json")
    assert written is None and missing == [
        f"Champion and challenger: no `{tmp_path / 'challenge.json'}` (run `make challenge` first)"
    ]
    assert read_challenge(None) == (None, [])


def test_a_slice_the_gate_guards_is_compared_and_can_fail_the_challenger():
    """`make gate` applies a tolerance on slices.NAME.METRIC; the challenge said "no metric worse
    than its tolerance" without computing it."""
    labels, good = labelled_scores()
    half = np.arange(len(good)) < len(good) // 2
    worse = np.where(half & (np.arange(len(good)) % 3 == 0), 1 - good, good)
    result = challenge(labels, {"champion": good, "challenger": worse}, CUT, {"first": half})
    rows = by_key(result)
    assert "slices.first.rows" not in rows  # the same for both
    assert rows["slices.first.roc_auc"].new < rows["slices.first.roc_auc"].base - 0.05
    guarded = GateParams(headline="test.roc_auc", tolerances={"slices.first.roc_auc": 0.01})
    line, passed = verdict(result, guarded, "main", "test.parquet")
    assert not passed and "slices.first.roc_auc worse by" in line


def test_a_challenge_of_another_base_or_model_is_told_apart():
    """`make report CHALLENGE=...` took the verdict of whatever challenge.json lay there: one made
    against another base, or before the model was retrained again."""
    written = {
        "base": "main",
        "versions": {"champion": "abc1234567+md5:1", "challenger": "workspace+md5:2"},
    }
    assert stale_reason(written, "origin/main", "abc1234567", "2") == ""  # the same commit
    assert stale_reason(written, "v1", "def7654321", "2") == (
        "its champion is `main` at abc1234567+md5:1, not `v1` at def7654321"
    )
    assert stale_reason(written, "main", "abc1234567", "3") == (
        "its challenger is workspace+md5:2, the model reported now has md5 3"
    )
    first = {"base": "main", "versions": {"challenger": "workspace+md5:2"}}
    assert stale_reason(first, "main", "abc1234567", "2") == ""
    assert stale_reason(first, "v1", "abc1234567", "2") == "it was made against `main`, not `v1`"


@pytest.mark.parametrize(
    ("written", "problem"),
    [
        ({"base": "main", "versions": {}}, "'verdict' should be a text"),
        ({"verdict": "v", "base": "main", "versions": []}, "'versions' should be a mapping"),
        (
            {"verdict": "v", "base": "main", "versions": {}, "metrics": [{"champion": 1}]},
            "'metrics' should be a list of entries with a 'key'",
        ),
        (
            {"verdict": "v", "base": "main", "versions": {}, "rejected": [1]},
            "'rejected' should be a mapping of row counts",
        ),
        (  # ValueError "Cannot specify ',' with 's'" from the section's `{count:,}` before
            {"verdict": "v", "base": "main", "versions": {}, "rejected": {"champion": "3"}},
            "'rejected' should be a mapping of row counts",
        ),
        (  # TypeError from MetricRow.change (0.9 - "0.8") in the report's table before
            {
                "verdict": "v",
                "base": "main",
                "versions": {},
                "metrics": [{"key": "test.roc_auc", "champion": "0.8", "challenger": 0.9}],
            },
            "'metrics' entries should give each model's value as a number, NaN, Infinity or null",
        ),
    ],
)
def test_a_challenge_file_not_shaped_as_churn_challenge_writes_it_is_named(
    written, problem, tmp_path
):
    """KeyError and AttributeError tracebacks in `make report CHALLENGE=...` before."""
    assert shape_problem(written) == problem
    with pytest.raises(ChurnError, match=rf"c\.json: not churn\.challenge's output \({problem}"):
        check_challenge(written, tmp_path / "c.json", "HEAD", None)


def test_the_help_gives_the_whole_first_paragraph_of_the_description(capsys):
    """--help stopped mid-sentence ("... and the workspace's (the"): the docstring's first line."""
    with pytest.raises(SystemExit):
        parse_args(["--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "decide whether the challenger may replace the champion." in help_text


def test_a_nan_or_infinite_metric_is_written_as_strict_json_and_read_back():
    """challenge.json held bare NaN tokens: Python read them, jq and JavaScript refuse them."""
    written = {
        "base": "main",
        "versions": {},
        "verdict": "x",
        "rows": 3,
        "metrics": [
            {"key": "test.roc_auc", "champion": float("nan"), "challenger": 0.8},
            {"key": "test.log_loss", "champion": float("inf"), "challenger": -float("inf")},
        ],
    }
    text = json.dumps(as_strict_json(written), allow_nan=False)  # raises on a bare NaN
    read = json.loads(text)
    assert [m["champion"] for m in read["metrics"]] == ["NaN", "Infinity"]
    assert shape_problem(read) == ""
    rows = challenge_rows(read)
    assert math.isnan(rows[0].base) and rows[0].new == 0.8
    assert (rows[1].base, rows[1].new) == (math.inf, -math.inf)
    assert "| test.roc_auc | NaN |" in "\n".join(challenge_section(read))


def test_a_metric_given_as_other_text_is_refused():
    entry = {"key": "k", "champion": "0.8", "challenger": 1.0}
    written = {"base": "main", "versions": {}, "verdict": "x", "metrics": [entry]}
    assert "a number, NaN, Infinity or null" in shape_problem(written)
