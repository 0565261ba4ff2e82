"""Validation core: coercion, row checks, schema diff and every policy of the data contract."""

import json
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
import yaml

from churn.coercion import coerce, coerce_boolean, coerce_categorical, coerce_numeric
from churn.column_checks import check_feature
from churn.contract import infer_contract
from churn.contract_spec import ColumnContract, Contract
from churn.data_params import DataParams, Policies
from churn.errors import ChurnError
from churn.validate import brief, coerced_note
from churn.validate import main as validate_main
from churn.validate import validate as validate_stage
from churn.validation import apply_contract
from tests.helpers import REPO

DATA = DataParams(target="churned", positive_label=1, id="customer_id", timestamp="month")
CONTRACT = Contract(
    [
        ColumnContract("customer_id", "id", "categorical", nullable=False),
        ColumnContract("month", "timestamp", "datetime", nullable=False),
        ColumnContract("spend", "feature", "numeric", nullable=True, min=0, max=10_000),
        ColumnContract("orders", "feature", "numeric", nullable=False, min=0, max=100),
        ColumnContract("plan", "feature", "categorical", categories=["free", "plus"]),
        ColumnContract("app", "feature", "boolean", nullable=False),
        ColumnContract("churned", "target", "boolean", nullable=False, categories=["0", "1"]),
    ]
)


def raw(**changes) -> pd.DataFrame:
    """Four clean rows as a CSV reader gives them, with columns replaced or added."""
    frame = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d"],
            "month": ["2026-01-01"] * 4,
            "spend": [10.5, 20.0, None, 3.0],
            "orders": [1, 2, 3, 4],
            "plan": ["free", "plus", None, "free"],
            "app": [0, 1, 1, 0],
            "churned": [0, 1, 0, 1],
        }
    )
    return frame.assign(**changes)


DEFAULTS = Policies()


def validate(frame, policies=DEFAULTS, data=DATA, scoring=False, contract=CONTRACT):
    return apply_contract(frame, contract, policies, data, "f.csv", scoring=scoring)


def assert_counts_add_up(result) -> None:
    counts = result.counts
    assert counts["rows_in"] == counts["rows_valid"] + counts["rows_quarantined"]
    assert counts["rows_quarantined"] == sum(counts["quarantined_by_reason"].values())
    assert len(result.valid) == counts["rows_valid"]
    assert len(result.rejected) == counts["rows_quarantined"]


def test_clean_data_passes_typed_per_contract():
    result = validate(raw())
    assert_counts_add_up(result)
    assert result.counts["rows_valid"] == 4 and result.rejected.empty
    assert str(result.valid["month"].dtype) == "datetime64[ns]"
    assert result.valid["churned"].dtype == "int8"
    assert result.valid["spend"].dtype == "float64"
    assert result.schema == {"added": [], "missing": [], "retyped": [], "new_categories": {}}


def test_blank_text_and_thousands_separators_are_coerced_and_counted():
    result = validate(raw(spend=["1,234", " ", "n/a", "lots"]))
    assert_counts_add_up(result)
    assert result.valid["spend"].tolist()[0] == 1234.0
    assert result.valid["spend"].isna().tolist() == [False, True, True, True]
    assert result.counts["coerced"]["spend"] == {
        "blank_to_missing": 2,  # " " and the marker "n/a"
        "thousands_separator": 1,
        "text_to_missing": 1,  # "lots"
    }


@pytest.mark.parametrize("kind", ["numeric", "boolean", "datetime", "categorical"])
def test_missing_value_markers_are_missing_in_every_type(kind):
    markers = pd.Series(["NA", "null", "None", "-", "?", "#N/A", "nan", ""], dtype=object)
    result = coerce(markers, kind)
    assert result.values.isna().all() and result.blank.all() and not result.bad.any()


def test_yes_no_labels_map_through_positive_label():
    data = DataParams("churned", "Yes", "customer_id", "month")
    contract = Contract(
        [*CONTRACT.columns[:-1], ColumnContract("churned", "target", "boolean", nullable=False)]
    )
    result = validate(raw(churned=["Yes", "no", " YES", "No"]), data=data, contract=contract)
    assert result.valid["churned"].tolist() == [1, 0, 1, 0]


@pytest.mark.parametrize(
    ("labels", "positive"),
    [
        ([True, False, True, False], "True"),  # a CSV reader made booleans of True/False
        ([True, False, True, False], "true"),
        ([True, False, True, False], True),
        ([1.0, 0.0, 1.0, 0.0], "1.0"),
        (["1.0", "0.0", "1.0", "0.0"], 1),
    ],
)
def test_the_positive_label_matches_however_it_is_spelled(labels, positive):
    data = DataParams("churned", positive, "customer_id", "month")
    contract = Contract(
        [*CONTRACT.columns[:-1], ColumnContract("churned", "target", "boolean", nullable=False)]
    )
    result = validate(raw(churned=labels), data=data, contract=contract)
    assert result.valid["churned"].tolist() == [1, 0, 1, 0]


def test_missing_value_markers_in_the_label_are_missing_labels():
    data = DataParams("churned", "Yes", "customer_id", "month")
    contract = Contract(
        [*CONTRACT.columns[:-1], ColumnContract("churned", "target", "boolean", nullable=False)]
    )
    result = validate(raw(churned=["Yes", "?", "-", "No"]), data=data, contract=contract)
    assert result.counts["quarantined_by_reason"] == {"missing_label:churned": 2}


@pytest.mark.parametrize("huge", ["1e20", 1e20, "99999999999999999999"])
def test_a_whole_number_label_beyond_int64_is_an_invalid_label_not_a_traceback(huge):
    """label_text cast every whole number to Int64: a label of 1e20 raised TypeError."""
    result = validate(raw(churned=pd.Series([0, 1, huge, 1], dtype=object)))
    assert result.counts["quarantined_by_reason"] == {"invalid_label:churned": 1}
    assert result.valid["churned"].tolist() == [0, 1, 1]


def test_a_label_column_in_another_spelling_is_pointed_out():
    with pytest.raises(ChurnError, match="the data has 'churned': names must match exactly"):
        validate(raw(), data=DataParams("Churned", 1, "customer_id", "month"))


def test_bad_rows_are_quarantined_with_one_reason_each():
    frame = raw(
        customer_id=["a", "a", "c", "d"],
        orders=[1, 2, 500, None],
        churned=[0, 1, "maybe", None],
    )
    result = validate(frame)
    assert_counts_add_up(result)
    rejected = result.rejected
    reasons = dict(zip(rejected["customer_id"], rejected["reject_reason"], strict=True))
    assert reasons == {
        "a": "duplicate_id:customer_id",
        "c": "invalid_label:churned",
        "d": "missing_label:churned",
    }
    assert result.rejected["churned"].tolist()[1:] == ["maybe", None]


def test_range_and_null_checks():
    result = validate(raw(orders=[1, -1, 101, None]))
    assert_counts_add_up(result)
    assert result.counts["quarantined_by_reason"] == {
        "above_max:orders": 1,
        "below_min:orders": 1,
        "null:orders": 1,
    }


def test_duplicate_ids_in_different_snapshots_are_fine():
    frame = raw(customer_id=["a", "a", "b", "b"], month=["2026-01-01", "2026-02-01"] * 2)
    assert validate(frame).counts["rows_valid"] == 4


def test_an_id_repeated_on_two_days_of_one_month_is_a_duplicate_of_that_snapshot():
    """Snapshots are calendar months (split, drift): the repeat was keyed by the exact timestamp,
    so a customer on 2026-03-04 and 2026-03-19 passed twice into one month's rows."""
    days = ["2026-03-04", "2026-03-19", "2026-03-04", "2026-04-02"]
    frame = raw(customer_id=["a", "a", "b", "b"], month=days)
    result = validate(frame)
    assert_counts_add_up(result)
    assert result.counts["quarantined_by_reason"] == {"duplicate_id:customer_id": 1}
    assert result.rejected[["customer_id", "month"]].values.tolist() == [["a", "2026-03-19"]]
    as_text = replace(
        CONTRACT,
        columns=[
            replace(c, type="categorical") if c.name == "month" else c for c in CONTRACT.columns
        ],
    )
    assert validate(frame, contract=as_text).counts["rows_quarantined"] == 1  # text dates too


def test_infinite_numbers_are_quarantined_as_infinite_not_counted_as_text_to_missing():
    """inf, -Infinity and 1e400 were counted as text_to_missing (and kept, as missing values, in a
    nullable column): they are numbers, not text, yet no feature value."""
    result = validate(raw(spend=["inf", "-Infinity", "1e400", "lots"]))
    assert_counts_add_up(result)
    assert result.counts["quarantined_by_reason"] == {"infinite:spend": 3}
    assert result.counts["coerced"] == {"spend": {"text_to_missing": 1}}
    assert result.rejected["spend"].tolist() == ["inf", "-Infinity", "1e400"]  # as read
    typed = raw(orders=[1.0, float("inf"), -float("inf"), 2.0])  # as Parquet holds them
    assert validate(typed).counts["quarantined_by_reason"] == {"infinite:orders": 2}
    scored = validate(typed.drop(columns=["churned"]), scoring=True)
    assert scored.counts["quarantined_by_reason"] == {"infinite:orders": 2}
    quarantine = Policies(type_change="quarantine")
    assert validate(typed, quarantine).counts["quarantined_by_reason"] == {"infinite:orders": 2}


def test_unseen_categories_are_quarantined_when_training_and_counted_when_scoring():
    frame = raw(plan=["free", "gold", "gold", None])
    training = validate(frame)
    assert training.counts["quarantined_by_reason"] == {"unseen_category:plan": 2}
    assert training.schema["new_categories"] == {"plan": ["gold"]}
    scoring = validate(frame.drop(columns=["churned"]), scoring=True)
    assert scoring.counts["rows_valid"] == 4
    assert scoring.counts["unseen_categories"] == {"plan": 2}
    assert "churned" not in scoring.valid.columns


def test_missing_target_stops_when_training():
    with pytest.raises(ChurnError, match=r"f.csv: column 'churned' \(data.target\) not found"):
        validate(raw().drop(columns=["churned"]))


def test_positive_label_that_never_occurs_stops():
    data = DataParams("churned", "Y", "customer_id", "month")
    contract = Contract(
        [*CONTRACT.columns[:-1], ColumnContract("churned", "target", "boolean", nullable=False)]
    )
    with pytest.raises(ChurnError, match="'Y' \\(data.positive_label\\) never occurs") as refused:
        validate(raw(churned=["Yes", " No"] * 2), data=data, contract=contract)
    assert str(refused.value).endswith("which holds 'Yes', 'No'")  # as written, not lowercased
    ids = DataParams("customer_id", 1, "", "month")  # a text column named as the label
    label = ColumnContract("customer_id", "target", "boolean")
    contract = Contract([*CONTRACT.columns[1:-1], label])
    with pytest.raises(ChurnError) as refused:
        validate(raw(), data=ids, contract=contract)
    assert str(refused.value) == (
        "f.csv: label value 1 (data.positive_label) never occurs in column 'customer_id' "
        "(data.target), which holds 'a', 'b', 'c', 'd'"
    )


@pytest.mark.parametrize("policy", ["ignore", "include", "fail"])
def test_new_column_policy(policy):
    frame = raw(video=["3.5", "", "7", "1,000"])
    if policy == "fail":
        with pytest.raises(ChurnError, match="'video' is not in the contract"):
            validate(frame, Policies(new_column=policy))
        return
    result = validate(frame, Policies(new_column=policy))
    assert result.schema["added"] == ["video"]
    assert ("video" in result.valid.columns) == (policy == "include")
    assert "video" in result.rejected.columns  # quarantine keeps original values, all columns
    if policy == "include":
        assert result.valid["video"].dtype == "float64"
        assert result.counts["coerced"]["video"]["thousands_separator"] == 1


@pytest.mark.parametrize("policy", ["fail", "impute"])
def test_missing_column_policy(policy):
    frame = raw().drop(columns=["orders"])
    if policy == "fail":
        with pytest.raises(ChurnError, match="column 'orders' of the contract is missing"):
            validate(frame, Policies(missing_column=policy))
        return
    result = validate(frame, Policies(missing_column=policy))
    assert result.schema["missing"] == ["orders"]
    assert result.valid["orders"].isna().all() and result.counts["rows_valid"] == 4


def test_many_missing_columns_are_counted_first_and_the_file_doubted():
    """Nineteen names in a row read as noise: the count and the doubt come first."""
    wide = Contract(
        [*CONTRACT.columns, *(ColumnContract(f"x{k}", "feature", "numeric") for k in range(6))]
    )
    with pytest.raises(ChurnError) as refused:
        validate(raw(), contract=wide)
    named = ", ".join(f"'x{k}'" for k in range(6))
    assert str(refused.value) == (
        "f.csv: 6 of the contract's 13 columns are missing from the data "
        f"(contract.missing_column: fail): {named}"
    )
    with pytest.raises(ChurnError) as refused:
        validate(raw()[["customer_id", "month", "churned"]], contract=wide)
    assert str(refused.value).startswith(
        "f.csv: 10 of the contract's 13 columns are missing from the data "
        "(contract.missing_column: fail; is it the file you meant?): 'spend', 'orders', "
    )


def test_every_missing_column_is_named_at_once():
    """Only the first was named: fixing it, the user met the next."""
    with pytest.raises(ChurnError) as refused:
        validate(raw().drop(columns=["spend", "orders"]))
    assert str(refused.value) == (
        "f.csv: columns 'spend', 'orders' of the contract are missing from the data "
        "(contract.missing_column: fail)"
    )
    with pytest.raises(ChurnError) as refused:
        validate(raw().rename(columns={"spend": "Spend", "orders": "ORDERS"}))
    assert str(refused.value).endswith(
        "(contract.missing_column: fail); the data has 'Spend' for 'spend', 'ORDERS' for "
        "'orders': names must match exactly"
    )


@pytest.mark.parametrize("policy", ["fail", "quarantine"])
def test_type_change_policy(policy):
    frame = raw(orders=["one", "two", "3", "four"])
    if policy == "fail":
        with pytest.raises(ChurnError, match="column 'orders' no longer holds numeric values"):
            validate(frame, Policies(type_change=policy))
        return
    result = validate(frame, Policies(type_change=policy))
    assert_counts_add_up(result)
    assert result.schema["retyped"] == ["orders"]
    assert result.counts["quarantined_by_reason"] == {"type:orders": 3}
    assert result.valid["orders"].tolist() == [3.0]


def monthly(march_spend: list, january_spend=None, march=None) -> pd.DataFrame:
    """raw()'s four customers, five times over (a snapshot needs RETYPE_MIN_SCORED values to
    show a type change), in January, February and March (dates: march), with March's spend (and
    January's, when given) replaced."""
    months = [
        raw(month="2026-01-01", spend=january_spend or raw()["spend"].tolist()),
        raw(month="2026-02-01"),
        raw(month=march or "2026-03-01", spend=march_spend),
    ]
    copies = [month for month in months for _ in range(5)]
    ids = [f"{part}{k}{c}" for part in "jfm" for k in range(5) for c in "abcd"]  # unique, undated
    return pd.concat(copies, ignore_index=True).assign(customer_id=ids)


def test_one_month_of_text_is_a_type_change_however_many_clean_months():
    """Judged over all months at once, March's words were 4 of 10 present values, under the
    half that makes a type change: validate coerced them all to missing and retrained on a
    month without the feature, while batch scoring of March alone stopped."""
    frame = monthly(["unknown"] * 4)
    with pytest.raises(ChurnError) as refused:
        validate(frame)
    assert str(refused.value) == (
        "f.csv: column 'spend' no longer holds numeric values in snapshot 2026-03-01 "
        "(20 of 20 rows, e.g. 'unknown'; contract.type_change: fail)"
    )
    spread = monthly(
        ["unknown"] * 4, march=["2026-03-02", "2026-03-09", "2026-03-16", "2026-03-23"]
    )
    with pytest.raises(ChurnError, match=r"numeric values in snapshot 2026-03 \(20 of 20 rows"):
        validate(spread)  # dates spread over the month: named by the month
    whole = validate(frame, data=replace(DATA, timestamp=""))  # no snapshots: the whole table
    assert whole.schema["retyped"] == [] and whole.counts["coerced"]["spend"] == {
        "text_to_missing": 20
    }
    few = monthly(["unknown"] * 4).groupby("month").head(4)  # 4 values a month: too few to tell
    assert validate(few).counts["coerced"]["spend"] == {"text_to_missing": 4}


def test_quarantine_takes_the_changed_months_values_and_coerces_a_stray_word_elsewhere():
    frame = monthly(["unknown"] * 4, january_spend=[10.5, "lots", None, 3.0])
    result = validate(frame, Policies(type_change="quarantine"))
    assert_counts_add_up(result)
    assert result.schema["retyped"] == ["spend"]
    assert result.counts["quarantined_by_reason"] == {"type:spend": 20}
    assert result.rejected["customer_id"].str.startswith("m").all()
    assert result.counts["coerced"]["spend"] == {"text_to_missing": 5}  # January's "lots"
    assert result.valid.loc[result.valid["customer_id"].eq("j0b"), "spend"].isna().all()


@pytest.mark.parametrize("values", [[1.0, 2.0, None], ["1", "2", None], ["1", " ", "n/a"]])
def test_a_column_without_wrong_typed_values_is_not_split_by_snapshot(values):
    """Only a column holding a value of the wrong type needs the rows' snapshots."""

    def stamps():
        raise AssertionError("snapshots read for a column without wrong-typed values")

    column = ColumnContract("spend", "feature", "numeric", min=0)
    raw_values = pd.Series(values * 400, dtype=object if isinstance(values[0], str) else None)
    check = check_feature(raw_values, column, DEFAULTS, "f.csv", False, stamps=stamps)
    assert not check.retyped


def test_a_few_wrong_values_are_coerced_not_a_type_change():
    result = validate(raw(orders=["1", "2", "x", "4"]))
    assert result.schema["retyped"] == []
    assert result.counts["quarantined_by_reason"] == {"type:orders": 1}  # not "null": a word
    assert "orders" not in result.counts["coerced"]  # rejected, not coerced: counted once
    optional = validate(raw(spend=["1.5", "x", None, "3"]))  # spend may be missing: row kept
    assert optional.counts["rows_valid"] == 4
    assert optional.counts["coerced"]["spend"] == {"text_to_missing": 1}


def test_unknown_policy_value_is_named():
    with pytest.raises(ChurnError, match="contract.new_column must be one of ignore|include|fail"):
        Policies(new_column="keep")


def test_inputs_are_not_mutated():
    frame = raw(spend=["1,234", " ", "n/a", "7"])
    before = frame.copy()
    validate(frame, Policies(new_column="include"))
    pd.testing.assert_frame_equal(frame, before)


@pytest.mark.parametrize(
    "column",
    [
        pd.Series([1.0, 0.0, -0.0, None, 2.0, 0.5]),
        pd.Series([True, False, False, None, 2.0, 0.5], dtype="Float64"),
        pd.Series(["1", "0", "false", None, "2", "0.5"]),
        pd.Series(["1.0", "0.0", " 0.00 ", None, "2.0", "0.5"]),  # as CSV writers spell floats
    ],
)
def test_booleans_from_numbers_match_the_text_route(column):
    result = coerce_boolean(column)
    assert result.values.tolist()[:3] == [1.0, 0.0, 0.0] and result.values.iloc[3:].isna().all()
    assert result.bad.tolist() == [False, False, False, False, True, True]
    assert not result.blank.any()


@pytest.mark.parametrize(
    "values",
    [[1.0, None, 2.5], [3, None], [1, 2.5, -0.0], [None], [-1e300, 1e300]],
)
def test_object_columns_of_numbers_match_the_text_route(values):
    """Records from JSON arrive as object columns of numbers: same values, no flags."""
    numbers = coerce_numeric(pd.Series(values, dtype=object))
    as_text = coerce_numeric(pd.Series([None if v is None else repr(v) for v in values]))
    pd.testing.assert_series_equal(numbers.values, as_text.values)
    for flags in (numbers.blank, numbers.thousands, numbers.bad):
        assert flags.dtype == bool and not flags.any()


@pytest.mark.parametrize("dtype", [bool, "boolean", "bool[pyarrow]"])
def test_typed_booleans_where_numbers_belong_are_values_of_the_wrong_type(dtype):
    """A Parquet boolean column in a numeric field: as the text "true" (and the API's 422), not
    read as 0/1."""
    values = [True, False, True] if dtype is bool else [True, None, False]
    result = coerce_numeric(pd.Series(values, dtype=dtype))
    assert result.values.isna().all() and result.values.dtype == "float64"
    assert result.bad.tolist() == [True, dtype is bool, True]
    assert result.bad.dtype == bool and not result.blank.any()
    as_text = coerce_numeric(pd.Series(["true", "false"]))
    assert as_text.bad.all() and as_text.values.isna().all()


def test_categories_are_stripped_and_blanks_become_missing():
    result = coerce_categorical(pd.Series([" DE", "", "FR ", None, "  "], dtype="string"))
    assert result.values.tolist() == ["DE", pd.NA, "FR", pd.NA, pd.NA]
    assert result.blank.tolist() == [False, True, False, False, True]
    assert result.values.dtype == "string" and result.blank.dtype == bool


def test_the_log_line_cuts_long_lists_and_keeps_short_ones_as_they_are():
    assert brief({"device": ["fridge"]}) == "{'device': ['fridge']}"
    assert brief([f"v{i}" for i in range(9)]) == "['v0', 'v1', 'v2', 'v3', 'v4', ... (9 in all)]"


def test_on_and_off_are_booleans_as_in_the_api():
    values = coerce(pd.Series(["on", "OFF", "On"], dtype=object), "boolean").values
    assert values.tolist() == [1.0, 0.0, 1.0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (["31/01/2026", "28/02/2026"], ["2026-01-31", "2026-02-28"]),
        (["01.02.2026", "13.02.2026"], ["2026-02-01", "2026-02-13"]),  # a day above 12 tells
        (["01/02/2026", "01/31/2026"], ["2026-01-02", "2026-01-31"]),  # month first, US style
        (["2026/01/31", "January 2026"], ["2026-01-31", "2026-01-01"]),
        (["Jan-26", "x"], [None, None]),  # unreadable: wrong-typed values, no traceback
    ],
)
def test_dates_in_other_formats_are_read_day_or_month_first_as_the_column_says(text, expected):
    values = coerce(pd.Series(text, name="month", dtype=object), "datetime").values
    assert [None if pd.isna(v) else str(v.date()) for v in values] == expected


def test_dates_read_day_first_in_some_rows_and_month_first_in_others_stop():
    """13/01/2026 is day first, 01/13/2026 month first: each was read the way it fits, and
    05/02/2026 silently day first (May or February: the file does not say)."""
    column = pd.Series(["13/01/2026", "05/02/2026", "01/13/2026"], name="month", dtype=object)
    expected = (
        "column 'month': dates such as '13/01/2026' read day first, others such as "
        "'01/13/2026' month first; write them as YYYY-MM-DD"
    )
    with pytest.raises(ChurnError, match=expected):
        coerce(column, "datetime")


def test_dates_beyond_the_years_pandas_holds_are_wrong_typed_values_not_a_traceback():
    """A 9999-12-31 "no end" marker: pandas 3 reads it at microsecond resolution, and making it
    datetime64[ns] raised OutOfBoundsDatetime (validate and contract infer ended in a traceback).
    """
    values = ["2026-01-01", "9999-12-31", "1500-01-01T00:00:00Z", "31/12/9999"]
    coerced = coerce(pd.Series(values, name="month", dtype=object), "datetime")
    assert coerced.values.isna().tolist() == [False, True, True, True]
    assert coerced.bad.tolist() == [False, True, True, True]
    result = validate(raw(month=["2026-01-01", "2026-01-01", "2026-01-01", "9999-12-31"]))
    assert_counts_add_up(result)
    assert result.rejected["month"].tolist() == ["9999-12-31"]


def test_dates_that_read_both_ways_stop_the_run_naming_file_and_column():
    """Monthly files dated on the 2nd: 02/03/2026 could be 2 March or 3 February."""
    with pytest.raises(ChurnError, match=r"f.csv: column 'month': dates such as '02/03/2026' read"):
        validate(raw(month=["02/02/2026", "02/03/2026", "01/04/2026", "04/05/2026"]))


def with_newest_month(labels: list) -> pd.DataFrame:
    """The four January rows plus three February rows (new ids) with these labels."""
    newest = raw().head(3).assign(customer_id=["x", "y", "z"], month="2026-02-01", churned=labels)
    return pd.concat([raw(), newest], ignore_index=True)


def test_a_newest_snapshot_without_labels_is_kept_apart_to_be_scored():
    """Whether February's customers churn is not known yet: they are scored, not quarantined."""
    result, newest = validate_stage(
        with_newest_month([None, "", None]), CONTRACT, Policies(), DATA, "f.csv"
    )
    unlabelled = newest.valid
    assert unlabelled["customer_id"].tolist() == ["x", "y", "z"]
    assert DATA.target not in unlabelled.columns
    counts = result.counts
    assert (counts["rows_in"], counts["rows_valid"], counts["rows_unlabelled"]) == (7, 4, 3)
    assert counts["rows_quarantined"] == 0


def test_a_repeated_id_in_the_unlabelled_snapshot_is_quarantined():
    frame = with_newest_month([None, None, None])
    frame.loc[frame.index[-1], "customer_id"] = "x"
    result, newest = validate_stage(frame, CONTRACT, Policies(), DATA, "f.csv")
    unlabelled = newest.valid
    assert unlabelled["customer_id"].tolist() == ["x", "y"]
    assert result.counts["quarantined_by_reason"] == {"duplicate_id:customer_id": 1}
    assert result.rejected["reject_reason"].tolist() == ["duplicate_id:customer_id"]


def test_a_column_retyped_only_in_the_unlabelled_snapshot_is_listed_as_retyped():
    """schema.json listed the columns retyped among the labelled rows only: a column quarantined
    whole in the unlabelled newest snapshot, checked apart, was missing from "retyped"."""
    newest = pd.concat([raw()] * 5, ignore_index=True)
    newest = newest.assign(
        customer_id=[f"n{k}" for k in range(20)], month="2026-02-01", churned=None, spend="unknown"
    )
    frame = pd.concat([raw(), newest], ignore_index=True)
    policies = Policies(type_change="quarantine", max_quarantined=1.0)
    result, unlabelled = validate_stage(frame, CONTRACT, policies, DATA, "f.csv")
    assert result.counts["quarantined_by_reason"] == {"type:spend": 20}
    assert unlabelled.valid.empty and result.schema["retyped"] == ["spend"]
    with pytest.raises(ChurnError, match="'spend' no longer holds numeric values in snapshot"):
        validate_stage(frame, CONTRACT, DEFAULTS, DATA, "f.csv")


def test_a_newest_snapshot_with_some_labels_missing_is_only_dirty():
    result, newest = validate_stage(
        with_newest_month([1, None, 0]), CONTRACT, Policies(), DATA, "f.csv"
    )
    unlabelled = newest.valid
    assert unlabelled.empty and result.counts["rows_unlabelled"] == 0
    assert result.counts["quarantined_by_reason"] == {"missing_label:churned": 1}


def test_timestamps_that_are_no_dates_say_how_to_write_them():
    with pytest.raises(ChurnError, match=r"e\.g\. '202601'; dates must read as dates"):
        validate(raw(month=["202601", "202601", "202602", "202602"]))


def test_the_log_line_names_the_columns_whose_values_were_coerced():
    coerced = validate(raw(spend=["1,234", " ", "n/a", "lots"])).counts["coerced"]
    assert coerced_note(coerced) == (
        "; values coerced in spend (blank_to_missing 2, thousands_separator 1, text_to_missing 1)"
    )
    assert coerced_note({}) == ""
    many = {f"c{n}": {"text_to_missing": n} for n in range(7)}
    assert coerced_note(many).endswith("c4 (text_to_missing 4), ... (7 in all)")


def test_infinite_numbers_are_rejected_as_infinite_wherever_they_are_read():
    """As the API refuses Infinity, batch and validate do not pass inf to the model: a row
    holding one is rejected as infinite:COL, in a required column as in a nullable one (it was
    type:COL there and a kept missing value, counted as text_to_missing, here)."""
    required = validate(raw(orders=["1", "inf", "-Infinity", "4"]))
    assert_counts_add_up(required)
    assert required.counts["quarantined_by_reason"] == {"infinite:orders": 2}
    optional = validate(raw(spend=[1.0, float("inf"), 2.0, 3.0]))
    assert optional.counts["quarantined_by_reason"] == {"infinite:spend": 1}
    assert optional.counts["coerced"] == {}
    for values in ([float("inf"), 1.0], ["1e400", "2"]):  # numbers, and text beyond float64
        coerced = coerce_numeric(pd.Series(values, dtype=object))
        assert (coerced.bad.tolist(), coerced.infinite.tolist()) == ([False] * 2, [True, False])


def test_numbers_beyond_float32_are_out_of_range_without_bounds_in_the_contract():
    """The model matrix is float32: 1e39 became inf there (a RuntimeWarning, then a score), in
    training as in scoring, when the contract (an inferred one) sets no min or max."""
    unbounded = Contract(
        [replace(c, min=None, max=None) if c.type == "numeric" else c for c in CONTRACT.columns]
    )
    frame = raw(spend=[1e39, -1e39, 3e38, 1.0], orders=["1", "2", "1e39", "4"])
    for scoring in (False, True):
        result = validate(frame, contract=unbounded, scoring=scoring)
        assert_counts_add_up(result)
        assert result.counts["quarantined_by_reason"] == {
            "above_max:spend": 1,
            "below_min:spend": 1,
            "above_max:orders": 1,
        }
        assert result.valid["spend"].tolist() == [1.0]


def test_numbers_beyond_float32_are_out_of_range_under_bounds_beyond_float32():
    """A contract inferred from data holding 1e39 sets max: 1.0e+39 (a hand-written one may set
    as much): 1e39 then passed, to become inf in the float32 model matrix."""
    frame = raw(spend=[1e39, -1e40, 3e38, 1.0])
    inferred = infer_contract(frame, DATA)
    assert inferred.column("spend").max == 1e39  # as the data says
    result = validate(frame, contract=inferred)
    assert result.counts["quarantined_by_reason"] == {"above_max:spend": 1, "below_min:spend": 1}
    assert sorted(result.valid["spend"].tolist()) == [1.0, 3e38]


def test_rows_without_a_timestamp_are_quarantined_even_where_the_contract_allows_it():
    """An inferred contract makes the timestamp nullable when some are blank: those rows passed,
    then split dropped them (in no split, no quarantine, no count)."""
    frame = raw(month=["2026-01-01", "", None, "2026-01-01"])
    nullable = Contract(
        [replace(c, nullable=True) if c.name == "month" else c for c in CONTRACT.columns]
    )
    inferred = infer_contract(frame, DATA)
    assert not inferred.column("month").nullable  # infer writes what validate enforces
    for contract in (CONTRACT, nullable, inferred):
        result, newest = validate_stage(frame, contract, Policies(), DATA, "f.csv")
        unlabelled = newest.valid
        assert result.counts["quarantined_by_reason"] == {"null:month": 2}
        assert result.valid["customer_id"].tolist() == ["a", "d"] and unlabelled.empty
        assert result.rejected["customer_id"].tolist() == ["b", "c"]
    scored = validate(frame, contract=nullable, scoring=True)  # scoring: the date is optional
    assert scored.counts["rows_valid"] == 4


def test_the_unlabelled_newest_snapshot_is_the_whole_latest_month():
    """Dates spread within a month: only the rows of the last date counted as the newest
    snapshot, so the rest of that unlabelled month was quarantined as missing_label."""
    days = ["2026-01-03", "2026-01-09", "2026-01-20", "2026-01-31", "2026-02-02", "2026-02-14"]
    frame = with_newest_month([None, None, None]).assign(month=[*days, "2026-02-27"])
    result, newest = validate_stage(frame, CONTRACT, Policies(), DATA, "f.csv")
    unlabelled = newest.valid
    assert unlabelled["customer_id"].tolist() == ["x", "y", "z"]
    assert result.counts["rows_quarantined"] == 0 and result.counts["rows_valid"] == 4


def run_validate(folder: Path, contract: Path, capsys) -> str:
    """validate's main on four clean rows with this contract, run in folder; its stderr."""
    raw().to_parquet(folder / "in.parquet")
    params = yaml.safe_load((REPO / "params.yaml").read_text())
    params["data"].update(target="churned", id="customer_id", timestamp="month")
    (folder / "params.yaml").write_text(yaml.safe_dump(params))
    outs = ["valid-out", "unlabelled-out", "quarantine-out", "metrics", "schema", "contract-out"]
    argv = ["--input", "in.parquet", "--contract", str(contract), "--params", "params.yaml"]
    validate_main([*argv, *(arg for out in outs for arg in (f"--{out}", f"{out}.out"))])
    return capsys.readouterr().err


def test_a_contract_outside_contracts_is_used_with_a_warning(tmp_path, monkeypatch, capsys):
    """dvc.yaml declares contracts/ as validate's dependency: editing a contract elsewhere
    leaves its outputs stale, silently."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "contracts").mkdir()
    for path in (tmp_path / "contracts" / "mine.yaml", tmp_path / "elsewhere.yaml"):
        path.write_text(CONTRACT.to_yaml())
    assert run_validate(tmp_path, Path("contracts/mine.yaml"), capsys) == ""
    assert run_validate(tmp_path, tmp_path / "contracts" / "mine.yaml", capsys) == ""
    assert run_validate(tmp_path, Path("elsewhere.yaml"), capsys) == (
        "validate: warning: elsewhere.yaml is outside contracts/, which dvc.yaml declares: "
        "editing it will not rerun validate\n"
    )
    assert json.loads(Path("metrics.out").read_text())["rows_valid"] == 4  # used all the same


def test_zoned_timestamps_are_compared_in_utc_without_the_zone():
    """ISO 8601 stamps with a zone (2026-01-01T00:00:00Z) and tz-aware Parquet columns (as Spark
    writes them) stopped validate with a TypeError traceback; offsets may also differ by row."""
    midnight, february = pd.Timestamp("2026-01-01"), pd.Timestamp("2026-02-01")
    zulu = coerce(pd.Series(["2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"]), "datetime")
    assert zulu.values.tolist() == [midnight, february] and not zulu.bad.any()
    offsets = ["2026-01-01T02:00:00+02:00", "2026-01-01T00:00:00", "2025-12-31T19:00-05:00", "x"]
    mixed = coerce(pd.Series(offsets), "datetime")
    assert mixed.values.tolist()[:3] == [midnight] * 3 and mixed.bad.tolist()[3]
    spark = pd.Series(pd.to_datetime(["2026-01-01 01:00", None]).tz_localize("Europe/Paris"))
    assert coerce(spark, "datetime").values.tolist()[0] == midnight
    for values in (zulu, mixed):
        assert str(values.values.dtype) == "datetime64[ns]"
    result, _ = validate_stage(
        raw(month=["2026-01-01T00:00:00Z"] * 2 + ["2026-02-01T00:00:00Z"] * 2),
        CONTRACT, Policies(), DATA, "f.csv",
    )  # fmt: skip
    assert result.counts["rows_valid"] == 4
    assert result.valid["month"].tolist() == [midnight] * 2 + [february] * 2


def test_a_category_new_only_in_the_unlabelled_snapshot_is_listed():
    """schema.json's new_categories came from the labelled rows only: a plan first seen in the
    unlabelled newest snapshot (checked apart, then scored) went unreported."""
    frame = with_newest_month([None, None, None])
    frame.loc[frame["month"].eq("2026-02-01"), "plan"] = "gold"
    result, newest = validate_stage(frame, CONTRACT, Policies(), DATA, "f.csv")
    assert len(newest.valid) == 3 and result.schema["new_categories"] == {"plan": ["gold"]}


def test_imputing_most_feature_columns_is_refused_even_under_impute():
    """Half the features imputed is allowed; more would score every row alike. The id, the
    timestamp and the label are not features and do not count."""
    half = validate(raw().drop(columns=["spend", "orders"]), Policies(missing_column="impute"))
    assert half.schema["missing"] == ["spend", "orders"] and half.counts["rows_valid"] == 4
    with pytest.raises(ChurnError) as refused:
        validate(raw().drop(columns=["spend", "orders", "plan"]), Policies(missing_column="impute"))
    assert str(refused.value) == (
        "f.csv: 3 of 4 contract feature columns are missing, e.g. 'spend'; "
        "imputing them all would score every row alike"
    )


def test_valid_rows_come_out_by_timestamp_then_id_whatever_the_input_order():
    """The same rows in another order (files listed otherwise) give the same validated file."""
    frame = raw(month=["2026-02-01", "2026-01-01", "2026-02-01", "2026-01-01"])
    shuffled = frame.iloc[[2, 0, 3, 1]]
    result = validate(shuffled)
    assert result.valid["customer_id"].tolist() == ["b", "d", "a", "c"]
    pd.testing.assert_frame_equal(result.valid, validate(frame).valid)
    scored = validate(shuffled, scoring=True)  # scoring keeps the input order
    assert scored.valid["customer_id"].tolist() == ["c", "a", "d", "b"]
