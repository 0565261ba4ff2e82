"""What a monthly snapshot shows of a cohort, and the hidden ground truth of who churns next."""

from __future__ import annotations

import operator
from functools import reduce

import numpy as np
import pandas as pd

from churn.cohort import Cohort, mobile_share, sigmoid
from churn.market import (
    AGE_BANDS,
    AGE_RISK,
    CHANNEL_RISK,
    CHANNELS,
    COUNTRIES,
    DEVICES,
    INTERCEPT,
    PAYMENT_RISK,
    PAYMENTS,
    PLAN_DISCOUNT_RISK,
    PLAN_RISK,
    PLANS,
    VIDEO_COLUMN,
)


def device_codes(cohort: Cohort, month: int) -> np.ndarray:
    """Main device per customer: a lasting preference compared with the month's mobile share."""
    mobile = mobile_share(month)
    return np.digitize(cohort["device_pref"], [mobile, mobile + 0.08])


def window_totals(cohort: Cohort) -> Cohort:
    """Three months' orders (safe: at least 1), share discounted, tickets, mean delivery delay."""
    orders = cohort["orders"].sum(axis=1)
    safe_orders = np.maximum(orders, 1)
    return {
        "orders": orders,
        "safe_orders": safe_orders,
        "discount_share": cohort["discounted"].sum(axis=1) / safe_orders,
        "tickets": cohort["tickets"].sum(axis=1),
        "delay": cohort["delay_sum"].sum(axis=1) / safe_orders,
    }


def draw_visits(
    rng: np.random.Generator, cohort: Cohort, device: np.ndarray, engaged: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Sessions in the month (browsing plus the month's orders) and the email open rate."""
    n = len(cohort["id"])
    browsing = np.exp(1.2 + engaged + 0.25 * (device == 0) + 0.3 * cohort["app"])
    sessions = rng.poisson(browsing * rng.gamma(3.0, 1 / 3, n)) + 2 * cohort["orders"][:, -1]
    open_mean = sigmoid(-1.2 + engaged)
    open_rate = rng.beta(12.0 * open_mean, 12.0 * (1.0 - open_mean))
    return sessions, np.where(cohort["newsletter"], np.round(open_rate, 3), np.nan)


def draw_satisfaction(rng: np.random.Generator, cohort: Cohort, totals: Cohort) -> np.ndarray:
    """Satisfaction score (1-5) of the customers who answer the survey, missing for the rest."""
    n = len(cohort["id"])
    responds = rng.random(n) < 0.06 + 0.25 * (cohort["tickets"][:, -1] > 0)  # post-ticket survey
    late = np.clip(totals["delay"] - 2.0, 0, None)
    mood = cohort["satisfaction"] - 0.3 * totals["tickets"] - 0.3 * late
    score = np.clip(np.round(3.9 + 0.8 * mood + rng.normal(0.0, 0.5, n)), 1, 5)
    return np.where(responds, score, np.nan)


def draw_order_value(rng: np.random.Generator, cohort: Cohort, totals: Cohort) -> np.ndarray:
    """Average order value after discounts, noisier with fewer orders; missing with none."""
    noise = rng.normal(0.0, 0.25, len(cohort["id"])) / np.sqrt(totals["safe_orders"])
    aov = cohort["aov"] * np.exp(noise)
    discounted = np.round(aov * (1 - 0.1 * totals["discount_share"]), 2)
    return np.where(totals["orders"] > 0, discounted, np.nan)


def draw_video_minutes(rng: np.random.Generator, cohort: Cohort, engaged: np.ndarray) -> np.ndarray:
    """Minutes of video tutorials watched in the month (0 for those who watched none)."""
    n = len(cohort["id"])
    watches = rng.random(n) < sigmoid(-0.7 + 0.9 * cohort["video_pref"] + 0.3 * engaged)
    minutes = np.exp(rng.normal(2.4 + 0.5 * cohort["video_pref"], 1.1, n))
    return np.where(watches, np.round(np.minimum(minutes, 2000.0), 1), 0.0)


def observe(rng: np.random.Generator, cohort: Cohort, month: int, with_video: bool) -> Cohort:
    """Numeric features of every active customer at the end of a month, keyed by column name."""
    device = device_codes(cohort, month)
    engaged = 0.5 * cohort["engage"] + 0.5 * cohort["activity"]
    totals = window_totals(cohort)
    # one draw after another in this order: the generated data depend on it
    sessions, open_rate = draw_visits(rng, cohort, device, engaged)
    satisfaction = draw_satisfaction(rng, cohort, totals)
    order_value = draw_order_value(rng, cohort, totals)
    has_orders = totals["orders"] > 0
    observed = {  # in the snapshot's column order
        "device": device,
        "newsletter_subscribed": cohort["newsletter"].astype(np.int64),
        "app_installed": cohort["app"].astype(np.int64),
        "sessions_30d": sessions,
        "orders_30d": cohort["orders"][:, -1],
        "orders_90d": totals["orders"],
        "days_since_last_order": cohort["days_since"],
        "avg_order_value": order_value,
        "discount_share": np.where(has_orders, np.round(totals["discount_share"], 3), np.nan),
        "returns_90d": cohort["returns"].sum(axis=1),
        "support_tickets_90d": totals["tickets"],
        "email_open_rate": open_rate,
        "delivery_delay_days_avg": np.where(has_orders, np.round(totals["delay"], 2), np.nan),
        "satisfaction_score": satisfaction,
    }
    if with_video:
        observed[VIDEO_COLUMN] = draw_video_minutes(rng, cohort, engaged)
    return observed


def recency_risk(days: np.ndarray) -> np.ndarray:
    """Risk rising with the days since the last order; highest (2.0) with no order on record."""
    return np.where(np.isnan(days), 2.0, 2.0 * (1.0 - np.exp(-np.nan_to_num(days) / 35.0)))


def tenure_risk(tenure: np.ndarray) -> np.ndarray:
    """Risk high in the first months, creeping up again after two years."""
    return 1.1 * np.exp(-tenure / 3.0) + 0.02 * np.clip(tenure - 24, 0, None)


def usage_terms(observed: Cohort, cohort: Cohort) -> list[np.ndarray]:
    """Log-odds terms of recent use: recency, tenure, orders, sessions."""
    return [
        recency_risk(observed["days_since_last_order"]),
        tenure_risk(cohort["tenure"]),
        -0.45 * np.log1p(observed["orders_90d"]),
        -0.3 * np.log1p(observed["sessions_30d"]),
    ]


def experience_terms(observed: Cohort, cohort: Cohort) -> list[np.ndarray]:
    """Log-odds terms of the plan and of service: discounts, tickets, late deliveries, returns."""
    discount = np.nan_to_num(observed["discount_share"]) * PLAN_DISCOUNT_RISK[cohort["plan"]]
    tickets = observed["support_tickets_90d"]
    late = np.clip(np.nan_to_num(observed["delivery_delay_days_avg"]) - 1.5, 0, 4)
    return_ratio = observed["returns_90d"] / np.maximum(observed["orders_90d"], 1)
    return [
        discount,
        PLAN_RISK[cohort["plan"]],
        0.1 * tickets,
        0.35 * np.log1p(tickets) * late,
        2.0 * np.clip(return_ratio - 0.3, 0, None),
    ]


def attachment_terms(observed: Cohort, cohort: Cohort) -> list[np.ndarray]:
    """Log-odds terms of attachment and profile: emails, app, mood, payment, channel, age, video."""
    opens = np.nan_to_num(observed["email_open_rate"], nan=0.2)
    video = observed.get(VIDEO_COLUMN, np.zeros(len(cohort["tenure"])))
    return [
        -1.2 * (opens - 0.2),
        -0.25 * cohort["app"],
        -0.35 * cohort["satisfaction"],
        PAYMENT_RISK[cohort["payment"]],
        CHANNEL_RISK[cohort["channel"]],
        AGE_RISK[cohort["age"]],
        0.1 * (observed["device"] == 0),
        -0.4 * np.log1p(video),
        cohort["frailty"],
    ]


def churn_logit(observed: Cohort, cohort: Cohort) -> np.ndarray:
    """Hidden ground truth: log-odds that each customer leaves during the next month."""
    terms = [*usage_terms(observed, cohort), *experience_terms(observed, cohort)]
    terms += attachment_terms(observed, cohort)
    # added one by one in this order (float sums depend on it, and the generated data on them)
    return reduce(operator.add, terms, INTERCEPT)


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
