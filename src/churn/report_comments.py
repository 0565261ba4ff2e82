"""Report comments CML cannot find: to delete before `cml comment update` posts the report.

CML's GitHub driver looks for its watermark in the first page of a pull request's comments only
(GitHub's 30, oldest first) and updates the last match there. On a longer conversation it finds
none and posts a new report on every push, so the old ones pile up below the 30th comment. This
names the report comments to delete so that exactly one is left for CML, or none (it then posts
a new one, at the end of the conversation).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from churn.errors import ChurnError, CliParser, read_text, run_cli

CML_FIRST_PAGE = 30  # the comments CML's GitHub driver lists (one call, GitHub's default page)
# CML escapes these in its watermark's title, as GitHub returns them escaped
GITHUB_ESCAPES = (("_", "\\_"), ("*", "\\*"), ("[", "\\["), ("<", "\\<"))


def watermark_marker(title: str) -> str:
    """The end of CML's watermark image for `--watermark-title=TITLE`, as a comment holds it."""
    label = f"CML watermark {title}".strip()
    for plain, escaped in GITHUB_ESCAPES:
        label = label.replace(plain, escaped)
    return f' "{label}")'


def stale_report_ids(
    comments: Sequence[Mapping], title: str, first_page: int = CML_FIRST_PAGE
) -> list[int]:
    """The ids of the report comments (oldest first) other than the one CML will update."""
    marker = watermark_marker(title)
    reports = [n for n, comment in enumerate(comments) if marker in (comment["body"] or "")]
    found_by_cml = [n for n in reports if n < first_page]
    kept = found_by_cml[-1] if found_by_cml else None
    return [int(comments[n]["id"]) for n in reports if n != kept]


def parse_comment(line: str, where: str) -> dict:
    """One comment of `gh api --jq '.[] | {id, body}'` output: an object with an id and a body."""
    try:
        comment = json.loads(line)
    except json.JSONDecodeError as error:
        raise ChurnError(f"{where}: not JSON ({error.msg})") from None
    if not isinstance(comment, dict) or not isinstance(comment.get("id"), int):
        raise ChurnError(f"{where}: not a comment (an object with an integer `id`)")
    if not isinstance(comment.get("body"), str | None):
        raise ChurnError(f"{where}: field `body`: not text")
    return comment


def read_comments(path: Path) -> list[dict]:
    """The comments of a JSON-lines file, one object per line (blank lines skipped)."""
    lines = read_text(path, "comments file not found").splitlines()
    return [parse_comment(line, f"{path}:{n}") for n, line in enumerate(lines, 1) if line.strip()]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = CliParser(prog="churn.report_comments", description=__doc__.splitlines()[0])
    parser.add_argument("comments", type=Path, help="the pull request's comments, JSON lines")
    parser.add_argument("--watermark-title", required=True, help="as given to cml comment update")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    for comment_id in stale_report_ids(read_comments(args.comments), args.watermark_title):
        print(comment_id)


if __name__ == "__main__":
    run_cli(main, "churn.report_comments")
