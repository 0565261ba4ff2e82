"""Columns that not every source file has: named for the log, and refused when two of them are
one column spelt two ways (letter case, spaces around the name) in different files."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import combinations

import pandas as pd

from churn.errors import ChurnError, listing


def partial_columns(tables: Sequence[pd.DataFrame]) -> dict[str, int]:
    """Columns that some tables lack, with how many tables have them (first seen first): after
    stacking, their rows from the other files are missing values, which should be said."""
    counts: dict[str, int] = {}
    for table in tables:
        for name in table.columns:
            counts[str(name)] = counts.get(str(name), 0) + 1
    return {name: count for name, count in counts.items() if count < len(tables)}


def partial_note(partial: dict[str, int], files: Sequence[str]) -> str:
    """One log line naming the columns not in every file ("" when every file has them all)."""
    if not partial:
        return ""
    named = listing([f"'{name}' ({count})" for name, count in partial.items()])
    return (
        f"ingest: column(s) not in every one of the {len(files)} files, missing in the others' "
        f"rows (files that have it): {named}"
    )


def check_spellings(tables: Mapping[str, pd.DataFrame]) -> None:
    """Refuse a column named in two spellings that differ only in letter case or spaces around
    the name ('Churn', 'churn ') by files none of which has both: stacked, they were two
    columns, each missing in the other files' rows (a label missing in half the rows). Each
    pair of spellings is judged apart: a file holding Tenure and tenure side by side does not
    excuse TENURE in another file."""
    spellings: dict[str, dict[str, str]] = {}  # folded name -> {name as written: first file}
    for path, table in tables.items():
        for name in map(str, table.columns):
            spellings.setdefault(name.strip().casefold(), {}).setdefault(name, path)
    held = [set(map(str, table.columns)) for table in tables.values()]
    for names in spellings.values():
        for (first, first_file), (other, other_file) in combinations(names.items(), 2):
            if not any({first, other} <= columns for columns in held):
                raise ChurnError(
                    f"{other_file}: column '{other}' is '{first}' in {first_file}, spelt "
                    "otherwise (letter case or spaces): the same column renamed between files? "
                    "give it one name in every file"
                )
