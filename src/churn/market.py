"""The synthetic e-commerce market: countries, payments, channels, plans and their churn risks."""

from __future__ import annotations

import numpy as np

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
