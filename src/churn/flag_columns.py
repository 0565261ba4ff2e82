"""Which numeric model inputs are flags: those whose every value in validate's labelled rows is
0 or 1. validate holds the rows to score of such a column outside the contract to a flag (yes/no
read as 1/0, a 2 made missing); featurize records them in the feature spec (FeatureSpec.flags) so
that batch scoring and the API read such a column as validate did, not as a plain number (a
contract column among them is read by the contract's type, as before)."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd


def flag_values(values: pd.Series) -> bool:
    """Whether a column's typed values are a flag's (numbers, each present one 0 or 1): a new
    column's rows to score are held to a flag then, so that yes/no there read as the 0/1 of
    training."""
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return False
    present = values.dropna()
    return bool(len(present)) and bool(present.isin((0, 1)).all())


def flag_columns(frames: Iterable[pd.DataFrame], numeric: list[str]) -> list[str]:
    """The numeric inputs whose values in frames (featurize's splits: together, validate's
    labelled rows, which new_column_kinds judges) are a flag's, in the order of numeric."""
    parts = list(frames)
    return [
        name
        for name in numeric
        if flag_values(pd.concat([part[name] for part in parts], ignore_index=True))
    ]
