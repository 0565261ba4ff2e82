"""A newest month still being delivered: split tests on the latest month whatever its size, so
a sliver of a month becomes the whole test split and every test metric is noise."""

from __future__ import annotations

import pandas as pd

PARTIAL_SHARE = 0.1  # a test month below this share of a typical earlier month's rows


def partial_test_month(months: pd.Series) -> str:
    """A warning naming the test month (the latest of months, each row's snapshot) when it holds
    fewer than PARTIAL_SHARE of the median earlier month's rows, else ""."""
    counts = months.value_counts().sort_index()
    if len(counts) < 2:
        return ""
    latest, typical = int(counts.iloc[-1]), float(counts.iloc[:-1].median())
    if latest >= PARTIAL_SHARE * typical:
        return ""
    return (
        f"split: warning: the test month {counts.index[-1]} has {latest} rows, against "
        f"{typical:.0f} in a typical month before it: a partial month? its test metrics are noise"
    )
