"""Split core: time split keeps whole customers together; random split is stratified."""

import re

import numpy as np
import pandas as pd
import pytest
import yaml

from churn.data_params import DataParams
from churn.errors import ChurnError
from churn.params import SplitParams
from churn.split import main, split_frame, stable_fraction
from tests.helpers import REPO

DATA = DataParams(target="churned", positive_label=1, id="customer_id", timestamp="month")
PARAMS = SplitParams(valid_size=0.25, test_size=0.2)


def monthly_frame(customers: int = 400, months: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "customer_id": [f"C{i}" for i in range(customers)] * months,
            "month": np.repeat(pd.date_range("2026-01-01", periods=months, freq="MS"), customers),
            "churned": rng.integers(0, 2, customers * months),
        }
    )


def test_time_split_tests_on_the_latest_month_and_validates_on_held_out_customers():
    train, valid, test = split_frame(monthly_frame(), DATA, PARAMS, seed=1)
    assert set(test["month"]) == {pd.Timestamp("2026-03-01")}
    assert train["month"].max() < test["month"].min()
    assert not set(train["customer_id"]) & set(valid["customer_id"])
    assert 0.15 < len(valid) / (len(train) + len(valid)) < 0.35
    assert len(train) + len(valid) + len(test) == 1200


def test_time_split_is_deterministic_and_seeded():
    first = split_frame(monthly_frame(), DATA, PARAMS, seed=1)
    again = split_frame(monthly_frame(), DATA, PARAMS, seed=1)
    other = split_frame(monthly_frame(), DATA, PARAMS, seed=2)
    pd.testing.assert_frame_equal(first.valid, again.valid)
    assert set(first.valid["customer_id"]) != set(other.valid["customer_id"])


def test_stable_fraction_depends_only_on_key_and_seed():
    keys = pd.Series(["a", "b", "c"])
    assert np.array_equal(stable_fraction(keys, 3), stable_fraction(keys[::-1], 3)[::-1])
    assert ((stable_fraction(keys, 3) >= 0) & (stable_fraction(keys, 3) < 1)).all()


def test_random_split_is_stratified_when_there_is_no_timestamp():
    data = DataParams(target="churned", positive_label=1, id="", timestamp="")
    frame = monthly_frame(customers=1000, months=1).assign(churned=[1] * 200 + [0] * 800)
    train, valid, test = split_frame(frame, data, PARAMS, seed=0)
    assert len(test) == 200 and test["churned"].mean() == pytest.approx(0.2)
    assert valid["churned"].mean() == pytest.approx(0.2, abs=0.01)
    assert len(train) + len(valid) + len(test) == 1000


def test_single_snapshot_cannot_be_split_by_time():
    with pytest.raises(ChurnError, match="at least two snapshots"):
        split_frame(monthly_frame(months=1), DATA, PARAMS, seed=0)


@pytest.mark.parametrize("id_column", ["customer_id", ""])
def test_random_split_moves_no_other_row_when_one_row_changes(id_column):
    """Editing one label or dropping one row leaves every other row in its split, so a data
    change shows in the metrics as itself, not as a new draw of the test set."""
    data = DataParams(target="churned", positive_label=1, id=id_column, timestamp="")
    frame = monthly_frame(customers=3000, months=1).drop(columns="month")
    frame["tenure"] = np.arange(len(frame))  # distinct rows, also without an id
    before = split_frame(frame, data, PARAMS, seed=0)
    edited = frame.copy()
    edited.loc[5, "churned"] = 1 - edited.loc[5, "churned"]
    for changed in (edited, frame.drop(index=7)):
        after = split_frame(changed, data, PARAMS, seed=0)
        for old, new in zip(before, after, strict=True):
            kept = set(old["tenure"]) & set(changed["tenure"])
            moved = kept ^ (set(new["tenure"]) & kept)
            assert len(moved - {5}) <= 2  # the changed row, and one at each class's boundary


def test_a_test_month_with_one_class_is_named():
    frame = monthly_frame()
    frame.loc[frame["month"] == frame["month"].max(), "churned"] = 0
    with pytest.raises(ChurnError, match=r"split 'test' has 400 rows, labels \{0: 400\}"):
        split_frame(frame, DATA, PARAMS, seed=0)


def test_no_rows_at_all_is_said_as_such():
    with pytest.raises(ChurnError, match=r"^no rows to split \(did validate quarantine them all"):
        split_frame(monthly_frame().head(0), DATA, PARAMS, seed=0)


def test_a_text_column_as_the_label_is_named_with_its_values():
    """data.target: customer_id failed in split's log line: "Cannot perform reduction 'mean'
    with string dtype"."""
    frame = monthly_frame().astype({"churned": "string"}).assign(plan=["basic", "gold"] * 600)
    data = DataParams(target="plan", positive_label=1, id="customer_id", timestamp="month")
    with pytest.raises(ChurnError) as refused:
        split_frame(frame, data, PARAMS, seed=0, where="v.parquet")
    assert str(refused.value) == (
        "v.parquet: column 'plan' (data.target) holds 'basic', 'gold', not 0/1 labels: "
        "data.target should name the label column (validate maps data.positive_label to 1)"
    )
    with pytest.raises(ChurnError, match=r"'churned' \(data.target\) holds '0', '1', not 0/1"):
        split_frame(frame, DATA, PARAMS, seed=0)
    counts = monthly_frame().assign(churned=lambda f: f["churned"] * 2)
    with pytest.raises(ChurnError, match=r"'churned' \(data.target\) holds 0, 2, not 0/1"):
        split_frame(counts, DATA, PARAMS, seed=0)


def test_data_with_one_class_only_points_at_the_label_not_the_split():
    frame = monthly_frame().assign(churned=0)
    with pytest.raises(ChurnError, match=r"'churned' \(data.target\) holds one class only, "
                       r"\{0: 1200\}: check data.positive_label"):  # fmt: skip
        split_frame(frame, DATA, PARAMS, seed=0)


@pytest.mark.parametrize("timestamp", ["month", ""])
def test_rows_without_an_id_are_spread_over_the_splits_not_sent_as_one_block(timestamp):
    """Hashing "seed:nan" gave every keyless row the same fraction (the test split got none)."""
    data = DataParams(target="churned", positive_label=1, id="customer_id", timestamp=timestamp)
    frame = monthly_frame(customers=400, months=2).assign(tenure=np.arange(800))
    frame.loc[frame.index % 4 == 0, "customer_id"] = None
    frame.loc[frame.index % 8 == 1, "customer_id"] = " "
    keyless = frame["customer_id"].fillna(" ").eq(" ")
    parts = split_frame(frame, data, PARAMS, seed=0)
    for part in parts[: 2 if timestamp else 3]:
        share = part["customer_id"].fillna(" ").eq(" ").mean()
        assert share == pytest.approx(keyless.mean(), abs=0.1)
    again = split_frame(frame, data, PARAMS, seed=0)
    pd.testing.assert_frame_equal(parts.valid, again.valid)  # still deterministic


RANDOM = DataParams(target="churned", positive_label=1, id="customer_id", timestamp="")


def snapshot_frame(customers: int = 3000, months: int = 3, seed: int = 0) -> pd.DataFrame:
    """Several snapshots per customer, labels drawn per row: many customers have both labels."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "customer_id": np.tile([f"C{i}" for i in range(customers)], months),
            "month": np.repeat(np.arange(months), customers),
            "churned": (rng.random(customers * months) < 0.2).astype(int),
            "tenure": np.arange(customers * months),  # rows differ, also without an id
        }
    ).sample(frac=1, random_state=1)  # customers' rows interleaved, as after a concat


def test_random_split_puts_every_customer_in_one_split_even_with_both_labels():
    """The cut-off used to be per label, so a customer with a churned and a retained snapshot
    could land on both sides of it: in train with one row and in test with another."""
    frame = snapshot_frame()
    frame.loc[frame.index % 50 == 0, "customer_id"] = None  # keyless rows: each one its own
    frame.loc[frame.index % 50 == 1, "customer_id"] = ""
    parts = split_frame(frame, RANDOM, PARAMS, seed=0)
    ids = [set(part["customer_id"].dropna()) - {""} for part in parts]
    assert not ids[0] & ids[1] and not ids[0] & ids[2] and not ids[1] & ids[2]
    assert sum(map(len, parts)) == len(frame)
    for part in parts:  # keyless rows are spread, not sent as one block
        assert part["customer_id"].fillna("").eq("").mean() == pytest.approx(0.04, abs=0.02)


def test_random_split_by_customer_keeps_label_shares_and_sizes():
    frame = snapshot_frame()
    train, valid, test = split_frame(frame, RANDOM, PARAMS, seed=0)
    overall = frame.groupby("customer_id")["churned"].max()
    for part in (train, valid, test):
        assert part["churned"].mean() == pytest.approx(frame["churned"].mean(), abs=0.015)
        churners = part.groupby("customer_id")["churned"].max()  # the customers' stratum
        assert churners.mean() == pytest.approx(overall.mean(), abs=0.01)
    assert len(test) / len(frame) == pytest.approx(PARAMS.test_size, abs=0.02)
    assert len(valid) / (len(train) + len(valid)) == pytest.approx(PARAMS.valid_size, abs=0.02)


def test_random_split_by_customer_is_deterministic_and_seeded():
    first = split_frame(snapshot_frame(), RANDOM, PARAMS, seed=3)
    again = split_frame(snapshot_frame(), RANDOM, PARAMS, seed=3)
    other = split_frame(snapshot_frame(), RANDOM, PARAMS, seed=4)
    for part, same, different in zip(first, again, other, strict=True):
        pd.testing.assert_frame_equal(part, same)
        assert set(part["customer_id"]) != set(different["customer_id"])


@pytest.mark.parametrize("id_column", ["customer_id", ""])
def test_three_of_a_rare_class_are_enough_for_three_splits(id_column):
    """Rounding 3 x 0.2 and 2 x 0.25 gave the validation split no churner at all."""
    data = DataParams(target="churned", positive_label=1, id=id_column, timestamp="")
    frame = snapshot_frame(customers=100, months=2).assign(churned=0)
    frame.loc[frame["customer_id"].isin(["C1", "C2", "C3"]) & frame["month"].eq(1), "churned"] = 1
    parts = split_frame(frame, data, PARAMS, seed=0)
    assert [part["churned"].sum() for part in parts] == [1, 1, 1]


@pytest.mark.parametrize("churners", [1, 2])
def test_a_class_too_rare_for_the_splits_names_the_params(churners):
    frame = snapshot_frame(customers=100, months=2).assign(churned=0)
    frame.loc[frame["customer_id"].isin([f"C{i}" for i in range(churners)]), "churned"] = 1
    with pytest.raises(ChurnError, match=r"^split 'valid' has \d+ rows, labels \{0: \d+\}: "
                       r"needs both classes; adjust split.test_size \(0.2\) and "
                       r"split.valid_size \(0.25\), or add customers \(data.id\) of the rarer "
                       r"class$"):  # fmt: skip
        split_frame(frame, RANDOM, PARAMS, seed=0)


def daily_frame(customers: int = 400, months: int = 3) -> pd.DataFrame:
    """monthly_frame with each row dated on another day of its month (1st to 28th)."""
    frame = monthly_frame(customers, months)
    days = pd.to_timedelta(np.arange(len(frame)) % 28, unit="D")
    return frame.assign(month=frame["month"] + days)


def test_time_split_tests_on_every_row_of_the_latest_calendar_month():
    """Dates spread within each month: the test split was the rows of the last date only (the
    rest of the month trained alongside it)."""
    train, valid, test = split_frame(daily_frame(), DATA, PARAMS, seed=1)
    assert len(test) == 400 and set(test["month"].dt.month) == {3}
    assert set(train["month"].dt.month) | set(valid["month"].dt.month) == {1, 2}
    assert len(train) + len(valid) + len(test) == 1200


def test_dates_within_one_month_are_one_snapshot_not_enough_for_a_time_split():
    frame = daily_frame(months=1)
    with pytest.raises(ChurnError, match=r"at least two snapshots \(calendar months\)"):
        split_frame(frame, DATA, PARAMS, seed=0)


def test_rows_without_a_timestamp_are_refused_not_dropped(tmp_path):
    """A row without a date was in neither the training months nor the test month: lost."""
    frame = monthly_frame()
    frame.loc[:9, "month"] = pd.NaT
    with pytest.raises(ChurnError, match=r"column 'month' \(data.timestamp\) is missing in 10 "
                       r"of 1200 rows.*\(it quarantines them as null:month\)$"):  # fmt: skip
        split_frame(frame, DATA, PARAMS, seed=0)
    params = yaml.safe_load((REPO / "params.yaml").read_text())
    params["data"].update(target="churned", id="customer_id", timestamp="month")
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(params))
    frame.to_parquet(tmp_path / "v.parquet")
    argv = ["--input", str(tmp_path / "v.parquet"), "--out-dir", str(tmp_path / "split")]
    with pytest.raises(ChurnError, match=rf"^{re.escape(str(tmp_path))}/v.parquet: column 'month'"):
        main([*argv, "--params", str(tmp_path / "params.yaml")])
    assert not (tmp_path / "split").exists()


def test_time_split_without_an_id_holds_out_the_same_rows_in_any_order():
    """Without data.id the validation rows were the positions a seeded generator drew, so the
    same rows in another order (files read in another order) trained another model."""
    data = DataParams(target="churned", positive_label=1, id="", timestamp="month")
    frame = monthly_frame().drop(columns="customer_id")
    frame["tenure"] = np.arange(len(frame))  # distinct rows
    valid = split_frame(frame, data, PARAMS, seed=0).valid
    shuffled = split_frame(frame.sample(frac=1, random_state=1), data, PARAMS, seed=0).valid
    assert set(shuffled["tenure"]) == set(valid["tenure"])
    assert 0.15 < len(valid) / 800 < 0.35


@pytest.mark.parametrize(("newest_rows", "warned"), [(30, True), (40, False), (400, False)])
def test_a_sliver_of_a_test_month_is_warned_about(capsys, newest_rows, warned):
    """100 rows of a month still being delivered became the whole test split, unremarked."""
    frame = monthly_frame()
    newest = frame["month"].eq(frame["month"].max()).cumsum().le(newest_rows)
    frame = frame[frame["month"].lt(frame["month"].max()) | newest]
    split_frame(frame.assign(churned=np.arange(len(frame)) % 2), DATA, PARAMS, seed=1)
    warning = (
        f"split: warning: the test month 2026-03 has {newest_rows} rows, against 400 in a "
        "typical month before it: a partial month? its test metrics are noise"
    )
    assert capsys.readouterr().err.splitlines() == ([warning] if warned else [])


def test_the_seed_moves_a_split_of_rows_that_hold_only_numbers():
    """Without data.id, rows are split by a hash of their values; pandas' hash_key salts only
    text columns, so a frame of numbers alone was split the same way whatever base.seed said."""
    from churn.split import row_fractions

    frame = pd.DataFrame({"x": range(200), "y": np.arange(200) * 0.5, "churned": [0, 1] * 100})
    fractions = {seed: row_fractions(frame, seed) for seed in (0, 1, 2)}
    assert not np.array_equal(fractions[0], fractions[1])
    assert not np.array_equal(fractions[1], fractions[2])
    assert np.array_equal(fractions[1], row_fractions(frame, 1))  # still a function of the seed
    assert ((fractions[0] >= 0) & (fractions[0] < 1)).all()
