"""Edge cases of comparison: neutral and suffixed metric names, booleans, empty text params,
list caps at the limit and count changes that are not whole."""

from churn.comparison import (
    capped_list,
    direction,
    format_change,
    format_param,
    format_value,
    metric_rows,
)


def test_confusion_cells_are_neutral_and_suffixes_set_the_direction():
    assert direction("confusion.fp") == 0
    assert direction("holdout.segment_auc") == 1
    assert direction("holdout.segment_log_loss") == -1


def test_booleans_are_no_metric_numbers():
    diff = {"m.json": {"passed": {"old": True, "new": False}, "auc": {"old": 0.5, "new": 1}}}
    assert [row.key for row in metric_rows(diff)] == ["auc"]
    assert format_value(True) == "true"


def test_an_empty_text_param_is_shown_as_empty_quotes():
    assert format_param("") == '""'
    assert format_param("a") == "a"


def test_a_list_exactly_at_its_limit_is_shown_whole():
    assert capped_list(["a", "b"], 2, "f") == "a, b"
    assert capped_list(["a", "b", "c"], 2, "f") == "a, b … and 1 more (all in `f`)"


def test_a_count_change_that_is_not_whole_keeps_its_decimals():
    assert format_change(2.0, count=True) == "+2"
    assert format_change(0.5, count=True) == "+0.5000"
