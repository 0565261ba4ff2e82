"""Names and values from data, params and metrics as the report's markdown shows them: literally.

A column, category, slice or metric name is text, never markup: `[x](/proc/self/environ)` must not
become a link, since CML uploads every local file a link or image in the report points at to its
public asset host; `<b>`, `</details>` or a backtick must not restyle or cut the report; a line
break or `|` must not end a table row or cell.
"""

from __future__ import annotations

import re

# what can start a construct anywhere in a line: escapes, code, emphasis, links and images,
# strikethrough, table cells; `<` and `&` only where HTML or a character reference could start
ALWAYS = re.compile(r"[\\`*\[\]|~]")
HTML_START = re.compile(r"[<&](?=[!/?#A-Za-z])")
# `_` opens or closes emphasis unless it sits inside a word (`roc_auc` stays as it is)
LONE_UNDERSCORE = re.compile(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")
LINK_OR_HTML = re.compile(r"[\[\]<>&\\]")
LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x0b\x0c\x85]+")


def one_line(text: object) -> str:
    """The text on one line: line breaks as spaces (a break would end a table row or a list)."""
    return LINE_BREAKS.sub(" ", str(text))


def plain_text(text: object) -> str:
    """Text for a line of the report: shown as written, never markup (the backslash escapes of
    CommonMark, which GitHub and CML's markdown reader both apply)."""
    escaped = ALWAYS.sub(lambda found: "\\" + found.group(), one_line(text))
    escaped = HTML_START.sub(lambda found: "\\" + found.group(), escaped)
    return LONE_UNDERSCORE.sub(r"\\_", escaped)


def table_text(text: object) -> str:
    """Text for a table cell, as plain_text but with `|` as `\\\\|`: a cell ends at a `|` no
    backslash precedes, and CML rewrites the comment through a markdown library without tables,
    which turns `\\|` into a bare `|` (a pipe means nothing to it) but keeps `\\\\|`, which
    GitHub's tables show as `|` too."""
    return plain_text(text).replace("\\|", "\\\\|")


def prose_text(text: str) -> str:
    """A line of our own words holding names (a verdict, a drift reason): names escaped as by
    plain_text, but `code` spans kept, the backticks our sentences put around revisions."""
    parts = one_line(text).split("`")
    if len(parts) % 2 == 0:  # an odd number of backticks: none of them can be ours to keep
        return plain_text(text)
    # a kept part that could make a link or HTML is escaped too: were its backticks not paired
    # as split here (runs of two), it would be text outside any code span
    return "`".join(
        part if index % 2 and not LINK_OR_HTML.search(part) else plain_text(part)
        for index, part in enumerate(parts)
    )


def code_span(text: object) -> str:
    """Text as a `code` span whatever backticks it holds (CommonMark: a fence longer than any
    run inside, and a space each side when it starts or ends with one)."""
    value = one_line(text)
    longest = max((len(run) for run in re.findall(r"`+", value)), default=0)
    fence = "`" * (longest + 1)
    padded = f" {value} " if value.startswith("`") or value.endswith("`") else value
    return f"{fence}{padded}{fence}"
