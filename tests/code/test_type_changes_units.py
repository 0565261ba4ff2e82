"""Fast unit tests of type_changes: the retype share and minimum at their boundaries, and the
per-snapshot judgement (which months, which rows, which name)."""

import pandas as pd

from churn.coercion import coerce
from churn.type_changes import retyped, type_change


def numbers(values: list) -> tuple[pd.Series, object]:
    raw = pd.Series(values, dtype=object)
    return raw, coerce(raw, "numeric")


def test_exactly_half_wrong_typed_is_no_type_change():
    assert not retyped(numbers(["1", "x"])[1])
    assert retyped(numbers(["1", "x", "y"])[1])


def test_a_column_with_exactly_min_present_values_is_judged():
    assert retyped(numbers(["x", "y"])[1], 2)
    assert not retyped(numbers(["x", "y"])[1], 3)


def months(*parts: tuple[str, list]) -> tuple[pd.Series, object, pd.Series]:
    """A column from (timestamp, values) parts: each value stamped with its part's timestamp."""
    values = [value for _, part in parts for value in part]
    stamps = [stamp for stamp, part in parts for _ in part]
    raw, coerced = numbers(values)
    return raw, coerced, pd.Series(pd.to_datetime(stamps))


def change(*parts: tuple[str, list], min_present: int = 1):
    raw, coerced, stamps = months(*parts)
    return type_change(raw, coerced, min_present, lambda: stamps)


GOOD = ("2026-01-01", ["1"] * 40)


def test_a_month_of_text_is_a_type_change_the_whole_column_would_dilute():
    found = change(GOOD, ("2026-02-01", ["x"] * 25))
    assert found is not None and found.snapshot == "2026-02-01"


def test_a_month_needs_twenty_values_and_more_than_half_wrong():
    assert change(GOOD, ("2026-02-01", ["x"] * 3)) is None
    assert change(GOOD, ("2026-02-01", ["x"] * 20 + ["1"] * 20)) is None


def test_the_oldest_changed_month_is_named_and_only_changed_months_rows_count():
    found = change(
        ("2026-01-01", ["1"] * 80 + ["y"]), ("2026-02-03", ["x"] * 25), ("2026-03-01", ["x"] * 25)
    )
    assert found.snapshot == "2026-02-03"
    assert found.rows.sum() == 50 and not found.rows[80]
    assert found.shown.sum() == 25 and found.shown[81]


def test_a_month_of_several_dates_is_named_as_the_month():
    found = change(GOOD, ("2026-02-01", ["x"] * 20), ("2026-02-09", ["x"] * 5))
    assert found.snapshot == "2026-02"


def test_rows_without_a_timestamp_are_judged_in_no_snapshot():
    raw, coerced, stamps = months(GOOD, ("2026-02-01", ["x"] * 25))
    stamps[40:] = pd.NaT
    assert type_change(raw, coerced, 1, lambda: stamps) is None


def test_numbers_written_as_text_change_type_however_few():
    assert change(GOOD, ("2026-02-01", ["3,5"] * 3)).snapshot == "2026-02-01"
    raw, coerced = numbers(["3,5"] * 3)
    assert type_change(raw, coerced, 20) is not None
    raw, coerced = numbers(["x"] * 3)
    assert type_change(raw, coerced, 20) is None
