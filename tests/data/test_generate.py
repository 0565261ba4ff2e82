"""Checks on the synthetic monthly snapshots written by the generate stage."""

from __future__ import annotations

import dataclasses
import itertools
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from threadpoolctl import threadpool_limits

from churn.errors import ChurnError
from churn.generate import CATEGORICAL, VIDEO_COLUMN, generate_snapshots, main
from churn.params import GenerateParams
from tests.fork_server import run_module

SMALL = GenerateParams(
    customers=2000, scale=1, start_month="2026-01", months=6, video_tutorials_from_month=5, seed=7
)
MODERATE = dataclasses.replace(SMALL, customers=5000)
MONTHS = ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]
COLUMNS = {
    "customer_id": "str",
    "snapshot_month": "str",
    "tenure_months": "int64",
    "age_band": "str",
    "country": "str",
    "device": "str",
    "acquisition_channel": "str",
    "membership_plan": "str",
    "payment_method": "str",
    "newsletter_subscribed": "int64",
    "app_installed": "int64",
    "sessions_30d": "int64",
    "orders_30d": "int64",
    "orders_90d": "int64",
    "days_since_last_order": "float64",
    "avg_order_value": "float64",
    "discount_share": "float64",
    "returns_90d": "int64",
    "support_tickets_90d": "int64",
    "email_open_rate": "float64",
    "delivery_delay_days_avg": "float64",
    "satisfaction_score": "float64",
    VIDEO_COLUMN: "float64",
    "churned": "int64",
}
LEVELS = {
    "age_band": {"18-24", "25-34", "35-44", "45-54", "55-64", "65+"},
    "country": {"DE", "FR", "GB", "ES", "IT", "NL", "PL", "SE"},
    "device": {"mobile", "desktop", "tablet"},
    "acquisition_channel": {"organic", "paid_search", "social", "referral", "email", "affiliate"},
    "membership_plan": {"free", "plus", "premium"},
    "payment_method": {"card", "paypal", "klarna", "bank_transfer", "cash_on_delivery"},
}
GENERATE_YAML = """generate:
  customers: {customers}
  scale: {scale}
  start_month: "2026-01"
  months: {months}
  video_tutorials_from_month: 2
  seed: {seed}
"""


@pytest.fixture(scope="module")
def snapshots() -> dict[str, pd.DataFrame]:
    return generate_snapshots(SMALL)


@pytest.fixture(scope="module")
def moderate() -> dict[str, pd.DataFrame]:
    return generate_snapshots(MODERATE)


def write_params(path: Path, customers: int = 300, scale: float = 1, months: int = 3) -> Path:
    path.write_text(GENERATE_YAML.format(customers=customers, scale=scale, months=months, seed=7))
    return path


def test_one_snapshot_per_month_sized_by_customers_times_scale(snapshots):
    assert list(snapshots) == MONTHS
    assert len(snapshots["2026-01"]) == 2000
    for frame in snapshots.values():
        assert 0.9 * 2000 < len(frame) < 1.1 * 2000  # joiners roughly replace churners
    tiny = generate_snapshots(dataclasses.replace(SMALL, customers=20000, scale=0.05, months=1))
    assert len(tiny["2026-01"]) == 1000
    floor = generate_snapshots(dataclasses.replace(SMALL, customers=10, months=1))
    assert len(floor["2026-01"]) == 100


def test_columns_and_dtypes_with_video_column_from_its_month(snapshots):
    for number, (month, frame) in enumerate(snapshots.items(), start=1):
        expected = {k: v for k, v in COLUMNS.items() if number >= 5 or k != VIDEO_COLUMN}
        assert list(frame.columns) == list(expected), month
        assert {c: str(t) for c, t in frame.dtypes.items()} == expected, month
        assert (frame["snapshot_month"] == f"{month}-01").all()


def test_identifiers_unique_sorted_and_well_formed(snapshots):
    for frame in snapshots.values():
        ids = frame["customer_id"]
        assert ids.is_unique and ids.is_monotonic_increasing
        assert ids.str.fullmatch(r"C\d{7}").all()


def test_categories_use_known_levels(snapshots):
    for frame in snapshots.values():
        for column, levels in LEVELS.items():
            assert set(frame[column].dropna()) <= levels, column
        for column in ("country", "device", "acquisition_channel", "membership_plan"):
            assert frame[column].notna().all(), column


def test_values_in_range_and_consistent(snapshots):
    for frame in snapshots.values():
        counts = [c for c, t in COLUMNS.items() if t == "int64" and c in frame]
        assert (frame[counts] >= 0).all().all()
        assert (frame["orders_90d"] >= frame["orders_30d"]).all()
        assert (frame["returns_90d"] <= frame["orders_90d"]).all()
        for flag in ("newsletter_subscribed", "app_installed", "churned"):
            assert set(frame[flag]) <= {0, 1}
        for rate in ("discount_share", "email_open_rate"):
            assert frame[rate].dropna().between(0, 1).all(), rate
        assert set(frame["satisfaction_score"].dropna()) <= {1.0, 2.0, 3.0, 4.0, 5.0}
        assert (frame["avg_order_value"].dropna() > 0).all()
        assert (frame["delivery_delay_days_avg"].dropna() >= 0).all()
        assert (frame["days_since_last_order"].dropna() >= 0).all()
        if VIDEO_COLUMN in frame:
            minutes = frame[VIDEO_COLUMN]
            assert (minutes >= 0).all() and 0.3 < (minutes == 0).mean() < 0.9
            assert minutes.max() > 10 * minutes[minutes > 0].median()  # heavy tail


def test_missing_values_where_and_as_often_as_expected(snapshots):
    for frame in snapshots.values():
        missing = frame.isna().mean()
        assert 0.02 < missing["age_band"] < 0.07
        assert 0.75 < missing["satisfaction_score"] < 0.97
        assert 0.3 < missing["email_open_rate"] < 0.7
        assert missing["days_since_last_order"] < 0.1
        no_orders = frame["orders_90d"] == 0
        for column in ("avg_order_value", "discount_share", "delivery_delay_days_avg"):
            assert frame[column].isna().equals(no_orders), column
        assert frame["email_open_rate"].isna().equals(frame["newsletter_subscribed"] == 0)
        assert (frame.loc[frame["days_since_last_order"].isna(), "orders_90d"] == 0).all()
        complete = [c for c in frame if c not in missing[missing > 0].index]
        assert len(complete) >= 16


def test_monthly_churn_rate_is_realistic(snapshots):
    for month, frame in snapshots.items():
        assert 0.10 <= frame["churned"].mean() <= 0.30, month


def test_ids_persist_until_churn_and_tenure_grows(snapshots):
    frames = list(snapshots.values())
    for month, (current, following) in enumerate(itertools.pairwise(frames)):
        stay = current.loc[current["churned"] == 0].set_index("customer_id")
        gone = set(current.loc[current["churned"] == 1, "customer_id"])
        later = set().union(*(set(f["customer_id"]) for f in frames[month + 1 :]))
        assert not gone & later
        nxt = following.set_index("customer_id")
        assert stay.index.isin(nxt.index).all()
        assert (nxt.loc[stay.index, "tenure_months"] == stay["tenure_months"] + 1).all()
        newcomers = nxt.drop(index=stay.index)
        assert len(newcomers) > 0 and (newcomers["tenure_months"] == 0).all()
        assert newcomers.index.min() > current["customer_id"].max()


def test_activity_is_autocorrelated_and_lasting_traits_stay(snapshots):
    first, second = (snapshots[m].set_index("customer_id") for m in ("2026-03", "2026-04"))
    both = first.index.intersection(second.index)
    corr = np.corrcoef(first.loc[both, "orders_30d"], second.loc[both, "orders_30d"])[0, 1]
    assert 0.3 < corr < 0.95
    for column in ("country", "acquisition_channel"):
        assert first.loc[both, column].equals(second.loc[both, column])


def test_drift_in_device_mix_and_discount_usage(snapshots):
    first, last = snapshots["2026-01"], snapshots["2026-06"]
    assert (last["device"] == "mobile").mean() > (first["device"] == "mobile").mean() + 0.08
    assert last["discount_share"].mean() > first["discount_share"].mean() + 0.03


def features(frame: pd.DataFrame, video: bool = True) -> pd.DataFrame:
    drop = ["customer_id", "snapshot_month", "churned"] + ([] if video else [VIDEO_COLUMN])
    table = frame.drop(columns=drop, errors="ignore")
    return table.astype({c: pd.CategoricalDtype(sorted(LEVELS[c])) for c in CATEGORICAL})


def month6_auc(snapshots: dict[str, pd.DataFrame], video: bool) -> float:
    """Fit on months 1-5 (the video column is NaN before it exists) and score month 6."""
    train = pd.concat([snapshots[m] for m in MONTHS[:5]], ignore_index=True)
    test = snapshots["2026-06"]
    model = HistGradientBoostingClassifier(
        max_iter=150, learning_rate=0.07, categorical_features="from_dtype", random_state=0
    )
    with threadpool_limits(limits=1):  # OpenMP threads crawl on a busy machine
        model.fit(features(train, video), train["churned"])
        scores = model.predict_proba(features(test, video))[:, 1]
    return roc_auc_score(test["churned"], scores)


@pytest.fixture(scope="module")
def aucs(moderate) -> dict[bool, float]:
    return {video: month6_auc(moderate, video) for video in (True, False)}


def test_churn_is_learnable_but_not_trivial(aucs):
    assert 0.78 <= aucs[True] <= 0.92
    assert 0.75 <= aucs[False] <= 0.92


def test_video_tutorial_column_improves_the_model(aucs):
    assert aucs[True] > aucs[False] + 0.003


def test_same_params_give_byte_identical_files(tmp_path):
    params = write_params(tmp_path / "params.yaml")
    for out in ("a", "b"):
        main(["--out", str(tmp_path / out), "--params", str(params)])
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == ["snapshot_2026-01.csv", "snapshot_2026-02.csv", "snapshot_2026-03.csv"]
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert b"\r" not in (tmp_path / "a" / names[0]).read_bytes()


def test_files_round_trip_to_the_in_process_frames(tmp_path):
    params = write_params(tmp_path / "params.yaml", months=2)
    main(["--out", str(tmp_path / "raw"), "--params", str(params)])
    expected = generate_snapshots(
        GenerateParams(300, 1.0, "2026-01", 2, video_tutorials_from_month=2, seed=7)
    )
    for month, frame in expected.items():
        read = pd.read_csv(tmp_path / "raw" / f"snapshot_{month}.csv")
        pd.testing.assert_frame_equal(read, frame)


def test_old_snapshots_are_removed_and_other_files_kept(tmp_path):
    out = tmp_path / "raw"
    out.mkdir()
    (out / "snapshot_2025-12.csv").write_text("stale\n")
    (out / "README.md").write_text("keep\n")
    main(["--out", str(out), "--params", str(write_params(tmp_path / "params.yaml", months=1))])
    assert sorted(p.name for p in out.iterdir()) == ["README.md", "snapshot_2026-01.csv"]


def test_months_out_of_range_are_refused_before_old_snapshots_are_removed(tmp_path):
    """Months past 2262-03 were refused only once write_snapshots had deleted the snapshots
    already in --out: the error left the folder without any."""
    out = tmp_path / "raw"
    out.mkdir()
    (out / "snapshot_2025-12.csv").write_text("kept\n")
    params = write_params(tmp_path / "params.yaml", months=1)
    params.write_text(params.read_text().replace('"2026-01"', '"2262-04"'))
    with pytest.raises(ChurnError, match="generate.start_month 2262-04"):
        main(["--out", str(out), "--params", str(params)])
    assert (out / "snapshot_2025-12.csv").read_text() == "kept\n"


def test_different_seed_gives_different_data():
    first = generate_snapshots(dataclasses.replace(SMALL, months=1))["2026-01"]
    other = generate_snapshots(dataclasses.replace(SMALL, months=1, seed=8))["2026-01"]
    assert not first.equals(other)
    assert not first["orders_90d"].equals(other["orders_90d"])


@pytest.mark.parametrize(
    "change", [{"months": 0}, {"customers": 0}, {"scale": -1.0}, {"start_month": "Jan 2026x"}]
)
def test_invalid_params_raise_churn_error(change):
    with pytest.raises(ChurnError):
        generate_snapshots(dataclasses.replace(SMALL, **change))


def test_default_size_is_stable():
    """(Its speed is measured by benchmarks/run.py, not timed here.)"""
    snapshots = generate_snapshots(dataclasses.replace(SMALL, customers=20000))
    assert len(snapshots["2026-01"]) == 20000
    rates = [frame["churned"].mean() for frame in snapshots.values()]
    assert all(0.12 < rate < 0.25 for rate in rates)


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "churn.generate", *args]
    return run_module(command)


def test_cli_writes_snapshots(tmp_path):
    params = write_params(tmp_path / "params.yaml", customers=1000, scale=0.2, months=2)
    result = run_cli("--out", str(tmp_path / "raw"), "--params", str(params))
    assert result.returncode == 0, result.stderr
    files = sorted((tmp_path / "raw").glob("snapshot_*.csv"))
    assert [p.name for p in files] == ["snapshot_2026-01.csv", "snapshot_2026-02.csv"]
    assert len(pd.read_csv(files[0])) == 200


def test_cli_reports_a_missing_key_in_one_line(tmp_path):
    params = tmp_path / "params.yaml"
    params.write_text(write_params(params).read_text().replace("  seed: 7\n", ""))
    result = run_cli("--out", str(tmp_path / "raw"), "--params", str(params))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "generate.seed" in lines[0]
