"""Generate stage: deterministic monthly snapshots of a synthetic e-commerce customer base."""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from churn.errors import ChurnError, run_cli
from churn.params import PARAMS_FILE, GenerateParams, load_section

Cohort = dict[str, np.ndarray]

FILL_MONTHS = 3  # simulated without churn first so the 90-day windows are full
WARMUP_MONTHS = 12  # burn-in months simulated before the first snapshot
MIN_CUSTOMERS = 100
INTERCEPT = -2.25  # calibrated for a monthly churn rate of about 15-20 %
COUNTRIES = np.array(["DE", "GB", "FR", "IT", "ES", "NL", "PL", "SE"], dtype=object)
COUNTRY_SHARE = np.array([0.26, 0.20, 0.17, 0.11, 0.10, 0.07, 0.06, 0.03])
COUNTRY_AOV = np.array([78.0, 72.0, 70.0, 62.0, 56.0, 74.0, 46.0, 82.0])  # median basket, EUR
COUNTRY_DELAY = np.array([0.6, 1.0, 0.9, 1.8, 1.6, 0.5, 1.4, 0.8])  # days late per order
COUNTRY_RETURNS = np.array([0.20, 0.14, 0.12, 0.09, 0.10, 0.16, 0.08, 0.15])
# card, paypal, klarna, bank_transfer, cash_on_delivery; one row per country
PAYMENTS = np.array(["card", "paypal", "klarna", "bank_transfer", "cash_on_delivery"], dtype=object)
PAYMENT_SHARE = np.array(
    [[0.25, 0.38, 0.20, 0.12, 0.05], [0.62, 0.25, 0.10, 0.02, 0.01], [0.62, 0.22, 0.06, 0.05, 0.05],
     [0.45, 0.35, 0.05, 0.03, 0.12], [0.50, 0.25, 0.05, 0.05, 0.15], [0.20, 0.20, 0.15, 0.43, 0.02],
     [0.25, 0.15, 0.05, 0.30, 0.25], [0.30, 0.10, 0.50, 0.08, 0.02]]
)  # fmt: skip
PAYMENT_RISK = np.array([0.0, -0.05, 0.15, 0.0, 0.45])
AGE_BANDS = np.array(["18-24", "25-34", "35-44", "45-54", "55-64", "65+", None], dtype=object)
AGE_SHARE = np.array([0.14, 0.27, 0.23, 0.17, 0.12, 0.07])
AGE_RISK = np.array([0.30, 0.10, 0.0, -0.10, -0.15, -0.05, 0.0])  # last: unknown
CHANNELS = np.array(["organic", "paid_search", "social", "referral", "email", "affiliate"], object)
CHANNEL_SHARE = np.array([0.30, 0.22, 0.18, 0.10, 0.08, 0.12])
CHANNEL_RISK = np.array([0.0, 0.15, 0.25, -0.30, -0.10, 0.30])
PLANS = np.array(["free", "plus", "premium"], dtype=object)
PLAN_RISK = np.array([0.0, -0.30, -0.65])
PLAN_DISCOUNT_RISK = np.array([1.7, 0.8, 0.1])  # deal seekers on a free plan leave first
DEVICES = np.array(["mobile", "tablet", "desktop"], dtype=object)
CATEGORICAL = (
    "age_band", "country", "device", "acquisition_channel", "membership_plan", "payment_method"
)  # fmt: skip
VIDEO_COLUMN = "time_spent_on_video_tutorials"


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic function."""
    return 1.0 / (1.0 + np.exp(-x))


def choose_rows(rng: np.random.Generator, probabilities: np.ndarray) -> np.ndarray:
    """Draw one category index per row of a (rows, categories) probability matrix."""
    cumulative = np.cumsum(probabilities, axis=1)
    draws = rng.random(len(probabilities))[:, None] * cumulative[:, -1:]
    return (draws > cumulative).sum(axis=1)


def new_customers(rng: np.random.Generator, ids: np.ndarray, tenure: np.ndarray) -> Cohort:
    """Draw the lasting traits of new customers; tenure -1 means they join at the next advance."""
    n = len(ids)
    country = rng.choice(len(COUNTRIES), n, p=COUNTRY_SHARE)
    age = np.where(rng.random(n) < 0.04, -1, rng.choice(len(AGE_SHARE), n, p=AGE_SHARE))
    channel = rng.choice(len(CHANNELS), n, p=CHANNEL_SHARE)
    engage = rng.normal(0.0, 1.0, n) + np.array([0.1, -0.1, -0.2, 0.3, 0.2, -0.2])[channel]
    plan_score = 0.8 * engage + rng.normal(0.0, 0.6, n)
    return_mean = COUNTRY_RETURNS[country]
    return {
        "id": ids,
        "tenure": tenure,
        "country": country,
        "age": age,
        "channel": channel,
        "payment": choose_rows(rng, PAYMENT_SHARE[country]),
        "plan": np.digitize(plan_score, [0.8, 1.8]),
        "engage": engage,
        "activity": rng.normal(0.0, 1.0, n),
        "frailty": rng.normal(0.0, 0.6, n),
        "satisfaction": rng.normal(0.0, 1.0, n),
        "device_pref": rng.random(n),
        "deal": rng.normal(0.0, 1.0, n) + 0.5 * np.isin(channel, [2, 5]),
        "return_p": rng.beta(2.0, 2.0 * (1.0 - return_mean) / return_mean),
        "aov": COUNTRY_AOV[country] * np.exp(rng.normal(0.0, 0.4, n) + 0.1 * (age == 2)),
        "delay": COUNTRY_DELAY[country] + rng.gamma(2.0, 0.3, n),
        "video_pref": rng.normal(0.0, 1.0, n),
        "newsletter": rng.random(n) < sigmoid(-0.2 + 0.5 * engage + 1.5 * (channel == 4)),
        "app": rng.random(n) < sigmoid(-1.0 + 0.6 * engage),
        "orders": np.zeros((n, 3), dtype=np.int64),
        "discounted": np.zeros((n, 3), dtype=np.int64),
        "returns": np.zeros((n, 3), dtype=np.int64),
        "tickets": np.zeros((n, 3), dtype=np.int64),
        "delay_sum": np.zeros((n, 3)),
        "days_since": np.full(n, np.nan),
    }


def initial_tenure(rng: np.random.Generator, n: int) -> np.ndarray:
    """Tenure (months) of the launch base: many recent sign-ups, a long tail of loyal customers."""
    recent = rng.geometric(0.15, n) - 1
    loyal = rng.integers(6, 84, n)
    return np.where(rng.random(n) < 0.65, recent, loyal)


def mobile_share(month: int) -> float:
    """Share of customers mainly on mobile in a month (0-based); drifts up 3 points a month."""
    return min(0.45 + 0.03 * max(month, 0), 0.8)


def shift_window(window: np.ndarray, latest: np.ndarray) -> np.ndarray:
    """Drop the oldest month of a (customers, 3) window and append the latest month."""
    return np.column_stack([window[:, 1:], latest])


def advance(rng: np.random.Generator, cohort: Cohort, month: int) -> Cohort:
    """Simulate one month of activity (0-based month; negative during warm-up)."""
    c = dict(cohort)
    n = len(c["id"])
    c["tenure"] = cohort["tenure"] + 1
    live = c["tenure"] >= 0
    c["activity"] = 0.7 * cohort["activity"] + 0.714 * rng.normal(0.0, 1.0, n)
    c["app"] = np.where(cohort["app"], rng.random(n) > 0.02, rng.random(n) < 0.04)
    c["newsletter"] = np.where(cohort["newsletter"], rng.random(n) > 0.02, rng.random(n) < 0.01)
    upgrade = rng.random(n) < 0.004 * np.exp(0.5 * c["engage"])
    c["plan"] = np.minimum(cohort["plan"] + upgrade, 2)
    rate = np.exp(-0.55 + 0.5 * c["engage"] + 0.4 * c["activity"] + 0.25 * c["plan"])
    orders = rng.poisson(rate * (1.0 + 0.2 * c["app"])) * live
    orders = np.where((c["tenure"] == 0) & (rng.random(n) < 0.75), np.maximum(orders, 1), orders)
    discount_p = sigmoid(-1.1 + 0.8 * c["deal"] + 0.12 * max(month, 0) - 0.3 * c["plan"])
    discounted = rng.binomial(orders, discount_p)
    returns = rng.binomial(orders, c["return_p"])
    delay = rng.gamma(3.0, c["delay"] / 3.0)
    tickets = rng.poisson(
        live * (0.02 + 0.05 * orders + 0.3 * returns + 0.25 * orders * (delay > 3))
    )
    last = 30.0 * (1.0 - rng.random(n) ** (1.0 / np.maximum(orders, 1)))
    c["days_since"] = np.where(orders > 0, np.floor(last), cohort["days_since"] + 30.0)
    for key, latest in (("orders", orders), ("discounted", discounted), ("returns", returns)):
        c[key] = shift_window(cohort[key], latest)
    c["tickets"] = shift_window(cohort["tickets"], tickets)
    c["delay_sum"] = shift_window(cohort["delay_sum"], delay * orders)
    return c


def device_codes(cohort: Cohort, month: int) -> np.ndarray:
    """Main device per customer: a lasting preference compared with the month's mobile share."""
    mobile = mobile_share(month)
    return np.digitize(cohort["device_pref"], [mobile, mobile + 0.08])


def observe(rng: np.random.Generator, cohort: Cohort, month: int, with_video: bool) -> Cohort:
    """Numeric features of every active customer at the end of a month, keyed by column name."""
    n = len(cohort["id"])
    device = device_codes(cohort, month)
    orders_90d = cohort["orders"].sum(axis=1)
    has_orders = orders_90d > 0
    safe_orders = np.maximum(orders_90d, 1)
    engaged = 0.5 * cohort["engage"] + 0.5 * cohort["activity"]
    browsing = np.exp(1.2 + engaged + 0.25 * (device == 0) + 0.3 * cohort["app"])
    sessions = rng.poisson(browsing * rng.gamma(3.0, 1 / 3, n)) + 2 * cohort["orders"][:, -1]
    open_mean = sigmoid(-1.2 + engaged)
    open_rate = rng.beta(12.0 * open_mean, 12.0 * (1.0 - open_mean))
    discount_share = cohort["discounted"].sum(axis=1) / safe_orders
    tickets = cohort["tickets"].sum(axis=1)
    delay = cohort["delay_sum"].sum(axis=1) / safe_orders
    responds = rng.random(n) < 0.06 + 0.25 * (cohort["tickets"][:, -1] > 0)  # post-ticket survey
    mood = cohort["satisfaction"] - 0.3 * tickets - 0.3 * np.clip(delay - 2.0, 0, None)
    score = np.clip(np.round(3.9 + 0.8 * mood + rng.normal(0.0, 0.5, n)), 1, 5)
    aov = cohort["aov"] * np.exp(rng.normal(0.0, 0.25, n) / np.sqrt(safe_orders))
    observed = {
        "device": device,
        "newsletter_subscribed": cohort["newsletter"].astype(np.int64),
        "app_installed": cohort["app"].astype(np.int64),
        "sessions_30d": sessions,
        "orders_30d": cohort["orders"][:, -1],
        "orders_90d": orders_90d,
        "days_since_last_order": cohort["days_since"],
        "avg_order_value": np.where(
            has_orders, np.round(aov * (1 - 0.1 * discount_share), 2), np.nan
        ),
        "discount_share": np.where(has_orders, np.round(discount_share, 3), np.nan),
        "returns_90d": cohort["returns"].sum(axis=1),
        "support_tickets_90d": tickets,
        "email_open_rate": np.where(cohort["newsletter"], np.round(open_rate, 3), np.nan),
        "delivery_delay_days_avg": np.where(has_orders, np.round(delay, 2), np.nan),
        "satisfaction_score": np.where(responds, score, np.nan),
    }
    if with_video:
        watches = rng.random(n) < sigmoid(-0.7 + 0.9 * cohort["video_pref"] + 0.3 * engaged)
        minutes = np.exp(rng.normal(2.4 + 0.5 * cohort["video_pref"], 1.1, n))
        observed[VIDEO_COLUMN] = np.where(watches, np.round(np.minimum(minutes, 2000.0), 1), 0.0)
    return observed


def churn_logit(observed: Cohort, cohort: Cohort) -> np.ndarray:
    """Hidden ground truth: log-odds that each customer leaves during the next month."""
    days = observed["days_since_last_order"]
    recency = np.where(np.isnan(days), 2.0, 2.0 * (1.0 - np.exp(-np.nan_to_num(days) / 35.0)))
    tenure = cohort["tenure"]
    tenure_hazard = 1.1 * np.exp(-tenure / 3.0) + 0.02 * np.clip(tenure - 24, 0, None)
    orders = observed["orders_90d"]
    discount = np.nan_to_num(observed["discount_share"]) * PLAN_DISCOUNT_RISK[cohort["plan"]]
    tickets = observed["support_tickets_90d"]
    late = np.clip(np.nan_to_num(observed["delivery_delay_days_avg"]) - 1.5, 0, 4)
    return_ratio = observed["returns_90d"] / np.maximum(orders, 1)
    opens = np.nan_to_num(observed["email_open_rate"], nan=0.2)
    video = observed.get(VIDEO_COLUMN, np.zeros(len(tenure)))
    return (
        INTERCEPT
        + recency
        + tenure_hazard
        - 0.45 * np.log1p(orders)
        - 0.3 * np.log1p(observed["sessions_30d"])
        + discount
        + PLAN_RISK[cohort["plan"]]
        + 0.1 * tickets
        + 0.35 * np.log1p(tickets) * late
        + 2.0 * np.clip(return_ratio - 0.3, 0, None)
        - 1.2 * (opens - 0.2)
        - 0.25 * cohort["app"]
        - 0.35 * cohort["satisfaction"]
        + PAYMENT_RISK[cohort["payment"]]
        + CHANNEL_RISK[cohort["channel"]]
        + AGE_RISK[cohort["age"]]
        + 0.1 * (observed["device"] == 0)
        - 0.4 * np.log1p(video)
        + cohort["frailty"]
    )


def to_frame(
    observed: Cohort, cohort: Cohort, churned: np.ndarray, period: pd.Period
) -> pd.DataFrame:
    """One monthly snapshot as a table sorted by customer id, with the label last."""
    labels = {
        "age_band": AGE_BANDS[cohort["age"]],
        "country": COUNTRIES[cohort["country"]],
        "device": DEVICES[observed["device"]],
        "acquisition_channel": CHANNELS[cohort["channel"]],
        "membership_plan": PLANS[cohort["plan"]],
        "payment_method": PAYMENTS[cohort["payment"]],
    }
    numeric = {key: value for key, value in observed.items() if key != "device"}
    frame = pd.DataFrame(
        {
            "customer_id": "C" + pd.Series(cohort["id"]).astype("str").str.zfill(7),
            "snapshot_month": period.start_time.strftime("%Y-%m-%d"),
            "tenure_months": cohort["tenure"],
            **labels,
            **numeric,
            "churned": churned.astype(np.int64),
        }
    )
    return frame.sort_values("customer_id", ignore_index=True)


def month_starts(start_month: str, months: int) -> list[pd.Period]:
    """Consecutive monthly periods from "YYYY-MM"."""
    try:
        start = pd.Period(start_month, freq="M")
    except ValueError as error:
        raise ChurnError(f"generate.start_month: expected YYYY-MM, got {start_month!r}") from error
    return [start + k for k in range(months)]


def select(cohort: Cohort, keep: np.ndarray) -> Cohort:
    """Rows of a cohort."""
    return {key: value[keep] for key, value in cohort.items()}


def join(cohort: Cohort, newcomers: Cohort) -> Cohort:
    """Append newcomers to a cohort."""
    return {key: np.concatenate([value, newcomers[key]]) for key, value in cohort.items()}


def check_params(params: GenerateParams) -> int:
    """Validate the generate section and return the size of the first snapshot."""
    if params.customers <= 0 or params.scale <= 0:
        raise ChurnError("generate.customers and generate.scale must be positive")
    if params.months < 1 or params.video_tutorials_from_month < 1:
        raise ChurnError("generate.months and generate.video_tutorials_from_month must be >= 1")
    return max(MIN_CUSTOMERS, round(params.customers * params.scale))


def simulate_month(
    rng: np.random.Generator, cohort: Cohort, month: int, with_video: bool
) -> tuple[Cohort, Cohort, np.ndarray]:
    """Advance the cohort one month, observe it and draw who churns during the next month."""
    cohort = advance(rng, cohort, month)
    observed = observe(rng, cohort, month, with_video)
    churned = rng.random(len(cohort["id"])) < sigmoid(churn_logit(observed, cohort))
    return cohort, observed, churned


def replace_churners(
    rng: np.random.Generator, cohort: Cohort, churned: np.ndarray, exact: bool
) -> Cohort:
    """Drop churners and sign up about as many new customers (exactly as many if exact)."""
    joiners = int(churned.sum()) if exact else round(churned.sum() * rng.uniform(0.97, 1.05))
    first = int(cohort["id"].max()) + 1
    newcomers = new_customers(rng, np.arange(first, first + joiners), np.full(joiners, -1))
    return join(select(cohort, ~churned), newcomers)


def launch_base(rng: np.random.Generator, size: int) -> Cohort:
    """The customer base just before the first snapshot, after a burn-in with churn."""
    cohort = new_customers(rng, np.arange(1, size + 1), initial_tenure(rng, size) - FILL_MONTHS)
    for month in range(-WARMUP_MONTHS, 0):
        cohort, _, churned = simulate_month(rng, cohort, month, with_video=False)
        if month >= -WARMUP_MONTHS + FILL_MONTHS:  # history windows are full from here
            cohort = replace_churners(rng, cohort, churned, exact=True)
    return cohort


def iter_snapshots(params: GenerateParams) -> Iterator[tuple[str, pd.DataFrame]]:
    """Simulate the customer base month by month, yielding ("2026-01", snapshot) pairs."""
    size = check_params(params)
    periods = month_starts(params.start_month, params.months)
    rng = np.random.default_rng(params.seed)
    cohort = launch_base(rng, size)
    for month, period in enumerate(periods):
        with_video = month + 1 >= params.video_tutorials_from_month
        cohort, observed, churned = simulate_month(rng, cohort, month, with_video)
        yield str(period), to_frame(observed, cohort, churned, period)
        cohort = replace_churners(rng, cohort, churned, exact=False)


def generate_snapshots(params: GenerateParams) -> dict[str, pd.DataFrame]:
    """All monthly snapshots, keyed by month like "2026-01"."""
    return dict(iter_snapshots(params))


def write_snapshots(snapshots: Iterable[tuple[str, pd.DataFrame]], out_dir: Path) -> list[Path]:
    """Replace the snapshot_*.csv files in out_dir with one CSV per (month, snapshot) pair."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in sorted(out_dir.glob("snapshot_*.csv")):
        old.unlink()
    options = pacsv.WriteOptions(quoting_style="none", quoting_header="none")
    paths = []
    for month, frame in snapshots:
        path = out_dir / f"snapshot_{month}.csv"
        pacsv.write_csv(pa.Table.from_pandas(frame, preserve_index=False), path, options)
        paths.append(path)
    return paths


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line arguments: output folder and params file."""
    parser = argparse.ArgumentParser(prog="churn.generate", description=__doc__)
    parser.add_argument("--out", type=Path, required=True, help="folder for snapshot_*.csv")
    parser.add_argument("--params", type=Path, default=PARAMS_FILE, help="params.yaml to read")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    """Read params, generate every monthly snapshot and write them as CSV files."""
    args = parse_args(argv)
    params: GenerateParams = load_section("generate", args.params)
    try:
        paths = write_snapshots(iter_snapshots(params), args.out)
    except OSError as error:
        raise ChurnError(f"{args.out}: cannot write snapshots ({error.strerror})") from error
    print(f"churn.generate: wrote {len(paths)} snapshots to {args.out}")


if __name__ == "__main__":
    run_cli(main, "churn.generate")
