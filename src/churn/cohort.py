"""A simulated customer cohort: lasting traits of new customers and one month of activity."""

from __future__ import annotations

import numpy as np

from churn.market import (
    AGE_SHARE,
    CHANNEL_SHARE,
    CHANNELS,
    COUNTRIES,
    COUNTRY_AOV,
    COUNTRY_DELAY,
    COUNTRY_RETURNS,
    COUNTRY_SHARE,
    PAYMENT_SHARE,
)

Cohort = dict[str, np.ndarray]  # one array per trait or history window, one row per customer
CHANNEL_ENGAGE = np.array([0.1, -0.1, -0.2, 0.3, 0.2, -0.2])  # engagement shift per channel


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic function."""
    return 1.0 / (1.0 + np.exp(-x))


def choose_rows(rng: np.random.Generator, probabilities: np.ndarray) -> np.ndarray:
    """Draw one category index per row of a (rows, categories) probability matrix."""
    cumulative = np.cumsum(probabilities, axis=1)
    draws = rng.random(len(probabilities))[:, None] * cumulative[:, -1:]
    return (draws > cumulative).sum(axis=1)


def draw_origin(rng: np.random.Generator, n: int) -> Cohort:
    """Country, age band (-1: not given) and acquisition channel of new customers."""
    country = rng.choice(len(COUNTRIES), n, p=COUNTRY_SHARE)
    age = np.where(rng.random(n) < 0.04, -1, rng.choice(len(AGE_SHARE), n, p=AGE_SHARE))
    channel = rng.choice(len(CHANNELS), n, p=CHANNEL_SHARE)
    return {"country": country, "age": age, "channel": channel}


def draw_engagement(rng: np.random.Generator, channel: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lasting engagement (shifted by channel) and the membership plan it leads to."""
    n = len(channel)
    engage = rng.normal(0.0, 1.0, n) + CHANNEL_ENGAGE[channel]
    plan_score = 0.8 * engage + rng.normal(0.0, 0.6, n)
    return engage, np.digitize(plan_score, [0.8, 1.8])


def draw_temperament(rng: np.random.Generator, channel: np.ndarray) -> Cohort:
    """Activity, frailty, satisfaction, device preference and taste for deals."""
    n = len(channel)
    return {
        "activity": rng.normal(0.0, 1.0, n),
        "frailty": rng.normal(0.0, 0.6, n),
        "satisfaction": rng.normal(0.0, 1.0, n),
        "device_pref": rng.random(n),
        "deal": rng.normal(0.0, 1.0, n) + 0.5 * np.isin(channel, [2, 5]),
    }


def draw_shopping(rng: np.random.Generator, country: np.ndarray, age: np.ndarray) -> Cohort:
    """Return probability, order value and delivery delay, around their country's means."""
    n = len(country)
    return_mean = COUNTRY_RETURNS[country]
    return {
        "return_p": rng.beta(2.0, 2.0 * (1.0 - return_mean) / return_mean),
        "aov": COUNTRY_AOV[country] * np.exp(rng.normal(0.0, 0.4, n) + 0.1 * (age == 2)),
        "delay": COUNTRY_DELAY[country] + rng.gamma(2.0, 0.3, n),
    }


def draw_media(rng: np.random.Generator, channel: np.ndarray, engage: np.ndarray) -> Cohort:
    """Taste for video tutorials, newsletter subscription and app install."""
    n = len(channel)
    return {
        "video_pref": rng.normal(0.0, 1.0, n),
        "newsletter": rng.random(n) < sigmoid(-0.2 + 0.5 * engage + 1.5 * (channel == 4)),
        "app": rng.random(n) < sigmoid(-1.0 + 0.6 * engage),
    }


def empty_history(n: int) -> Cohort:
    """Three-month windows of activity (latest month last), all empty, and no last order yet."""
    return {
        "orders": np.zeros((n, 3), dtype=np.int64),
        "discounted": np.zeros((n, 3), dtype=np.int64),
        "returns": np.zeros((n, 3), dtype=np.int64),
        "tickets": np.zeros((n, 3), dtype=np.int64),
        "delay_sum": np.zeros((n, 3)),
        "days_since": np.full(n, np.nan),
    }


def new_customers(rng: np.random.Generator, ids: np.ndarray, tenure: np.ndarray) -> Cohort:
    """Draw the lasting traits of new customers; tenure -1 means they join at the next advance."""
    # one draw after another in this order: the generated data depend on it
    origin = draw_origin(rng, len(ids))
    engage, plan = draw_engagement(rng, origin["channel"])
    payment = choose_rows(rng, PAYMENT_SHARE[origin["country"]])
    temperament = draw_temperament(rng, origin["channel"])
    shopping = draw_shopping(rng, origin["country"], origin["age"])
    media = draw_media(rng, origin["channel"], engage)
    return {
        "id": ids,
        "tenure": tenure,
        **origin,
        "payment": payment,
        "plan": plan,
        "engage": engage,
        **temperament,
        **shopping,
        **media,
        **empty_history(len(ids)),
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


def select(cohort: Cohort, keep: np.ndarray) -> Cohort:
    """Rows of a cohort."""
    return {key: value[keep] for key, value in cohort.items()}


def join(cohort: Cohort, newcomers: Cohort) -> Cohort:
    """Append newcomers to a cohort."""
    return {key: np.concatenate([value, newcomers[key]]) for key, value in cohort.items()}
