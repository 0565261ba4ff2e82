"""README's example pull-request comment is docs/report-example/report.md, as the markers say."""

from __future__ import annotations

import re

from tests.helpers import REPO

BEGIN = "<!-- begin: docs/report-example/report.md"
END = "<!-- end of the example -->"
EXAMPLE = "docs/report-example/"


def readme_example() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start = readme.index("\n", readme.index(BEGIN)) + 1
    return readme[start : readme.index(END)]


def as_in_readme(report: str) -> str:
    """Headings demoted three levels and image paths prefixed, as the begin marker says."""
    demoted = re.sub(r"^(#+) ", r"###\1 ", report, flags=re.M)
    return re.sub(r"\]\(([^)/]+\.png)\)", rf"]({EXAMPLE}\1)", demoted)


def test_the_readme_example_comment_is_the_refreshed_report_file():
    report = (REPO / EXAMPLE / "report.md").read_text(encoding="utf-8")
    assert readme_example() == as_in_readme(report)
