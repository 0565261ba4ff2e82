"""CML updates its report comment only when it is among a pull request's first 30 comments: the
others are deleted first, so one report is left however long the conversation grows."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from churn.report_comments import stale_report_ids, watermark_marker
from tests.helpers import REPO

TITLE = "churn-dvc model report"


def report(title: str = TITLE, sha: str = "0a1b2c") -> str:
    """A comment body as `cml comment update --watermark-title=TITLE` leaves it."""
    return f'## Model report\n\n![](https://cml.dev/watermark.png#{sha} "CML watermark {title}")'


def conversation(reports_at: set[int], length: int = 45) -> list[dict]:
    """Comments 0..length-1, oldest first, the report at the given positions (id = position)."""
    return [
        {"id": n, "body": report() if n in reports_at else f"comment {n}"} for n in range(length)
    ]


@pytest.mark.parametrize(
    ("reports_at", "stale"),
    [
        (set(), []),  # no report yet: CML posts the first
        ({3}, []),  # the one CML updates
        ({2, 10}, [2]),  # both among the first 30: CML updates the later one
        ({5, 40}, [40]),  # the one past 30 was posted because CML could not see it
        ({35, 40}, [35, 40]),  # none CML can see: all go, CML posts one at the end
        ({29, 30}, [30]),  # the 30th comment (position 29) is the last CML sees
    ],
)
def test_only_the_report_cml_will_update_is_kept(reports_at, stale):
    assert stale_report_ids(conversation(reports_at), TITLE) == stale


def test_other_watermarks_and_quoted_titles_are_left_alone():
    comments = [
        {"id": 1, "body": report(title="another workflow")},
        {"id": 2, "body": f"Why does the {TITLE} say CML watermark {TITLE}?"},
        {"id": 3, "body": None},  # GitHub sends null for an emptied body
    ]
    assert stale_report_ids(comments * 20, TITLE) == []


def test_titles_are_matched_as_github_returns_them_escaped():
    assert watermark_marker("a_b*c[d<e") == ' "CML watermark a\\_b\\*c\\[d\\<e")'


def run_module(*args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "churn.report_comments", *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=REPO)


def test_the_command_prints_one_id_per_line(tmp_path: Path):
    path = tmp_path / "comments.jsonl"
    lines = [json.dumps(comment) for comment in conversation({31, 33})]
    path.write_text("\n".join(lines) + "\n\n")
    result = run_module(str(path), "--watermark-title", TITLE)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "31\n33\n"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{", "comments.jsonl:2: not JSON"),
        ('{"body": "x"}', "comments.jsonl:2: not a comment (an object with an integer `id`)"),
        ('{"id": 7, "body": 3}', "comments.jsonl:2: field `body`: not text"),
    ],
)
def test_a_bad_line_is_named_in_one_line(tmp_path: Path, line: str, message: str):
    path = tmp_path / "comments.jsonl"
    path.write_text('{"id": 1, "body": "ok"}\n' + line + "\n")
    result = run_module(str(path), "--watermark-title", TITLE)
    assert result.returncode == 2
    assert result.stderr.startswith(f"churn.report_comments: error: {tmp_path}/{message}")
    assert len(result.stderr.splitlines()) == 1


FAKE_GH = """#!/bin/sh
# gh api, as the workflow's runner has it: a listing (paginated) or a DELETE, logged
echo "$*" >> "$GH_LOG"
case "$*" in
  *"--method DELETE"*) exit 0 ;;
  *--paginate*) cat "$GH_COMMENTS" ;;
  *) exit 1 ;;
esac
"""


def test_make_deletes_the_stale_reports_through_gh(tmp_path: Path):
    """The make target the pr-report workflow runs before `cml comment update`, with a `gh`
    that answers from a file: it lists every page and deletes exactly the stale ones."""
    gh = tmp_path / "bin" / "gh"
    gh.parent.mkdir()
    gh.write_text(FAKE_GH)
    gh.chmod(0o755)
    listing = tmp_path / "listing.jsonl"
    listing.write_text("".join(json.dumps(c) + "\n" for c in conversation({4, 36, 44})))
    env = {
        "PATH": f"{gh.parent}:/usr/bin:/bin",
        "GH_LOG": str(tmp_path / "gh.log"),
        "GH_COMMENTS": str(listing),
        "GITHUB_REPOSITORY": "acme/churn",
        "PR_NUMBER": "12",
    }
    make = ["make", "-s", "-C", str(REPO), "-o", ".venv/.installed", "prune-report-comments"]
    result = subprocess.run(
        [*make, f"REPORT_DIR={tmp_path / 'report'}", f"BIN={Path(sys.executable).parent}"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    calls = (tmp_path / "gh.log").read_text().splitlines()
    assert calls[0].startswith("api --paginate repos/acme/churn/issues/12/comments?per_page=100")
    assert calls[1:] == [
        "api --method DELETE repos/acme/churn/issues/comments/36",
        "api --method DELETE repos/acme/churn/issues/comments/44",
    ]
