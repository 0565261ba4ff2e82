"""The report in one pull-request comment: GitHub refuses a body over 65,536 characters (the CML
step failed), so long tables lose rows, the worse changes kept, before anything is cut."""

from __future__ import annotations

from collections.abc import Sequence

# GitHub holds 65,536 characters per comment; CML adds its watermark and the links of the images
COMMENT_BUDGET = 60_000
NOTE_ROOM = 400  # the closing tags and the note of a cut report
FLAGGED = ("❌ worse", "⚠")  # rows kept first when a table loses rows


def size(lines: Sequence[str]) -> int:
    return sum(len(line) + 1 for line in lines)


def table_spans(lines: Sequence[str]) -> list[tuple[int, int]]:
    """(first, end) of each table's body rows: runs of `|` lines after a header and its rule."""
    spans, start = [], None
    for index, line in enumerate([*lines, ""]):
        if line.startswith("|") and start is None:
            start = index
        elif not line.startswith("|") and start is not None:
            if index - start > 2:
                spans.append((start + 2, index))
            start = None
    return spans


def kept_rows(rows: Sequence[str], limit: int) -> list[str]:
    """At most `limit` rows in their order: worse and flagged rows first, then the others."""
    ranked = sorted(range(len(rows)), key=lambda i: not any(f in rows[i] for f in FLAGGED))
    return [rows[i] for i in sorted(ranked[:limit])]


def capped(lines: Sequence[str], limit: int) -> list[str]:
    """Every table with more than `limit` rows cut to `limit`, saying how many rows are left out."""
    result, done = [], 0
    for first, end in table_spans(lines):
        result += lines[done:first]
        rows = lines[first:end]
        result += kept_rows(rows, limit)
        if len(rows) > limit:
            result += [
                "",
                f"*{len(rows) - limit:,} more rows not shown, to fit a pull-request comment (worse "
                "changes first); `dvc metrics diff BASE --all` and `dvc params diff BASE` list "
                "every change.*",
            ]
        done = end
    return result + list(lines[done:])


def largest_fitting_limit(lines: Sequence[str], budget: int) -> int | None:
    """The most rows per table that fit the budget (None: not even headers alone fit)."""
    longest = max((end - first for first, end in table_spans(lines)), default=0)
    low, high = 0, longest
    if size(capped(lines, 0)) > budget:
        return None
    while low < high:  # the largest limit whose capped report fits
        middle = (low + high + 1) // 2
        low, high = (middle, high) if size(capped(lines, middle)) <= budget else (low, middle - 1)
    return low


def fit_comment(lines: list[str], budget: int = COMMENT_BUDGET) -> list[str]:
    """The lines as they are when they fit in `budget` characters; else long tables cut to the rows
    that fit (every section kept); else cut at the budget, closing a folded table cut open, with
    a line saying where the rest is."""
    if size(lines) <= budget:
        return lines
    limit = largest_fitting_limit(lines, budget - NOTE_ROOM)
    if limit is not None:
        return capped(lines, limit)
    return cut(lines, budget)


def cut(lines: list[str], budget: int) -> list[str]:
    """The lines that fit in `budget`, closing a folded table cut open, then a line saying so."""
    kept: list[str] = []
    room = budget - NOTE_ROOM
    for line in lines:
        room -= len(line) + 1
        if room < 0:
            break
        kept.append(line)
    unclosed = sum(line.startswith("<details>") for line in kept) - kept.count("</details>")
    return [
        *kept,
        *["", "</details>"] * unclosed,
        "",
        f"**Cut here:** the report has {size(lines):,} characters, more than a pull-request "
        "comment holds (65,536); `dvc metrics diff BASE --all` and `dvc params diff BASE` list "
        "every change.",
    ]
