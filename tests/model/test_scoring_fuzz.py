"""Property tests of the paths that read untrusted values (batch scoring's check_chunk and
score_frame, validate's apply_contract, the API's score_records): any mix of messy values either
stops with one ChurnError line or ends with every row scored or rejected with a reason."""

from __future__ import annotations

import math
import os
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from churn.artifacts import Artifacts, load_workspace
from churn.customer_keys import SeenKeys
from churn.errors import ChurnError
from churn.raw_text import as_text
from churn.request_model import build_request_model
from churn.scoring import REJECT_REASON, check_chunk, row_ids, score_frame
from churn.serve import score_records
from churn.validation import apply_contract

# CI runs few examples (the file in ~13 s serially); to hunt, CHURN_FUZZ_SCALE=25 runs 25x more
SCALE = float(os.environ.get("CHURN_FUZZ_SCALE", "1"))


def fuzz(examples: int) -> settings:
    """Settings that run the same examples on every run, `examples` times SCALE of them."""
    return settings(
        derandomize=True,
        database=None,
        deadline=None,
        max_examples=max(1, int(examples * SCALE)),
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


MISSING = ["", "NA", "null", "-", "N/A", "?", " ", "\t", "nan", "None", "\u00a0"]
SPACES = ["", " ", "\t", "\u00a0", "\u2003", "\n"]
WORDS = ["yes", "no", "Yes", "NO", "true", "False", "on", "off", "y", "n", "1.0", "0", "1"]
NUMBER_TEXT = ["12", "3,5", "1.234,5", "1,234.5", "1e3", "-0", "0.5", "1_000", "+7", "١٢"]
DATES = [
    "2026-06-01",
    "17/03/2026",
    "03/17/2026",
    "05/03/2026",
    "01.04.2026",
    "2026-03-31T23:30:00-02:00",
    "2026-03-31 08:00",
    "31/03/2026 08:00",
    "2026-03-01Z",
    "0001-01-01",
    "9999-12-31",
    "1677-09-21",
    "2262-04-12",
    "99999-01-01",
    "2026-13-01",
    "2026-02-30",
    "2026-06",
    "13/13/2026",
    "00/00/0000",
    "2026/03/17",
    "17.03.26",
]
IDS = ["100001", "100001.0", " 100001 ", "C1", "c1", "", "NA"]

numbers = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, 1, 5, 12, 100, 0.5, 1.0, 600.0]),
)
texts = st.one_of(
    st.sampled_from(MISSING + WORDS + NUMBER_TEXT + DATES + IDS),
    st.text(max_size=6),
    st.builds(lambda a, b, c: a + b + c, st.sampled_from(SPACES), st.text(max_size=4),
              st.sampled_from(SPACES)),
)  # fmt: skip
values = st.one_of(texts, numbers, st.none(), st.booleans(), st.just(np.nan))
KINDS = ["object", "string", "str", "float64", "Int64", "boolean", "category", "int64", "bool",
         "double[pyarrow]", "int64[pyarrow]", "bool[pyarrow]", "string[pyarrow]",
         "large_string[pyarrow]", "datetime64[ns]", "datetime64[ns, UTC]", "datetime64[s]",
         "timestamp[us, tz=UTC][pyarrow]", "Float64"]  # fmt: skip
FLAGS = [True, False, 0, 1, 1.0, "yes", "no", "true", "False", "1", "0", " yes ", "Y", "on"]


def plausible(column, json: bool = False) -> st.SearchStrategy:
    """Values a column's contract takes, in the spellings files use (a row mostly scores)."""
    if column.type == "boolean":
        return st.sampled_from(FLAGS)
    if column.type == "categorical":
        known = list(column.categories or ["100001", "C1", "x"])
        return st.one_of(st.sampled_from(known), st.sampled_from(known).map(lambda v: f" {v}\t"))
    if column.type == "datetime":
        return st.sampled_from(DATES)
    low, high = column.bounds if column.bounds else (0, 100)
    low, high = float(low if low is not None else 0), float(high if high is not None else 100)
    number = st.floats(low, high) | st.integers(math.ceil(low), int(high))
    if json:  # the API refuses numbers as text
        return number
    return number | number.map(str) | number.map(lambda v: str(v).replace(".", ","))


def column_values(column, messy: bool, json: bool = False) -> st.SearchStrategy:
    """Per column, either plausible values only or plausible ones beside messy ones."""
    return st.one_of(plausible(column, json), values) if messy else plausible(column, json)


MESSY = st.sampled_from([False] * 6 + [True])


TRAINED: list[Path] = []  # the folder of the session's small model (see trained_model)


@pytest.fixture(scope="module", autouse=True)
def trained_model(trained) -> None:
    """The model tests/model/conftest.py trains once per session: a fresh clone has no models/
    (these tests skipped there, in CI, when they read the workspace's)."""
    TRAINED[:] = [trained.root]


@cache
def workspace() -> Artifacts:
    """The small model's artifacts, with the repository's contract (its params.yaml names it)."""
    root = TRAINED[0]
    return load_workspace(root / "model.json", root / "features.json", root / "params.yaml")


def as_dtype(column: list, kind: str) -> pd.Series:
    """The column as one reader would type it; kinds the values cannot take stay object."""
    series = pd.Series(column, dtype=object)
    try:
        if kind == "object":
            return series
        if kind == "category":
            return series.astype("category")
        if kind in ("string", "str", "string[pyarrow]", "large_string[pyarrow]"):
            return series.map(lambda v: v if v is None else str(v)).astype(kind)
        if kind.startswith("datetime"):  # a Parquet timestamp column: NaT where no date
            return pd.to_datetime(series, errors="coerce", utc=True, format="mixed").astype(kind)
        return series.astype(kind)
    except (TypeError, ValueError, OverflowError, NotImplementedError):
        return series


@st.composite
def frames(draw) -> pd.DataFrame:
    """A frame of the contract's columns (some dropped, renamed or added) of messy values."""
    columns = {column.name: column for column in workspace().contract.columns}
    names = list(columns)
    n = draw(st.integers(1, 6))
    data: dict[str, pd.Series] = {}
    changed = draw(st.sampled_from([None] * 3 * len(names) + names))  # mostly the contract's layout
    for name in names:
        shape = draw(st.sampled_from(["drop", "rename"])) if name == changed else "keep"
        if shape == "drop":
            continue
        dates = draw(st.sampled_from([DATES[:1], DATES[:2], DATES, DATES + MISSING]))
        pool = {
            "snapshot_month": st.sampled_from(dates),
            "customer_id": st.one_of(
                st.sampled_from(IDS), st.integers(100000, 100003), st.just(100001.0), st.none()
            ),
        }
        column = draw(
            st.lists(
                pool.get(name, column_values(columns[name], draw(MESSY))), min_size=n, max_size=n
            )
        )
        kind = draw(st.sampled_from(KINDS))
        key = name if shape == "keep" else draw(st.sampled_from([name.upper(), f" {name}"]))
        data[key] = as_dtype(column, kind)
    if draw(st.booleans()):
        data["extra"] = pd.Series(draw(st.lists(values, min_size=n, max_size=n)), dtype=object)
    return pd.DataFrame(data, index=pd.RangeIndex(n))


def scored_or_rejected(chunk: pd.DataFrame, artifacts: Artifacts, seen: SeenKeys) -> None:
    """check_chunk then score_frame: every row accounted for, probabilities in [0, 1]."""
    checked = check_chunk(chunk, artifacts, "fuzz.csv", seen)
    scores = score_frame(
        checked.valid, artifacts, row_ids(checked, artifacts.id_column, 0), checked.encoded
    )
    event(f"scored {len(scores)} of {len(chunk)}")
    assert len(scores) + len(checked.rejected) == len(chunk)
    assert checked.rejected[REJECT_REASON].map(lambda r: isinstance(r, str) and r != "").all()
    probability = scores["churn_probability"].to_numpy(dtype=float)
    assert np.isfinite(probability).all() and ((probability >= 0) & (probability <= 1)).all()


def one_line(error: ChurnError) -> None:
    assert "\n" not in str(error) and str(error)


@fuzz(40)
@given(st.lists(frames(), min_size=1, max_size=3))
def test_scoring_any_values_scores_or_rejects_every_row(chunks: list[pd.DataFrame]) -> None:
    artifacts, seen = workspace(), SeenKeys()
    for chunk in chunks:
        try:
            scored_or_rejected(chunk, artifacts, seen)
        except ChurnError as error:
            event(str(error)[:60])
            one_line(error)
            return
    event("completed")


@fuzz(40)
@given(frames(), st.booleans())
def test_validate_any_values_keeps_or_quarantines_every_row(frame, scoring: bool) -> None:
    artifacts = workspace()
    contract, policies, data = artifacts.contract, artifacts.policies, artifacts.data
    try:
        result = apply_contract(frame, contract, policies, data, "fuzz.csv", scoring)
    except ChurnError as error:
        event(str(error)[:60])
        one_line(error)
        return
    event(f"valid {len(result.valid)}")
    assert len(result.valid) + len(result.rejected) == len(frame)
    assert result.rejected[REJECT_REASON].map(lambda r: isinstance(r, str) and r != "").all()


@st.composite
def records(draw) -> list[dict]:
    artifacts = workspace()
    names = [artifacts.id_column, artifacts.data.timestamp, *artifacts.spec.input_columns]
    n = draw(st.integers(1, 5))
    made, by_name = [], {column.name: column for column in artifacts.contract.columns}
    fields = {name: column_values(by_name[name], draw(MESSY), True) for name in names}
    for _ in range(n):
        record = {}
        for name in names:
            record[name] = draw(fields[name])
        made.append(record)
    return made


@cache
def customer():
    artifacts = workspace()
    return build_request_model(
        artifacts.contract, artifacts.spec, artifacts.id_column, artifacts.data.timestamp
    )


@fuzz(60)
@given(records())
def test_api_any_accepted_body_is_scored_or_rejected(bodies: list[dict]) -> None:
    model = customer()
    accepted = []
    for body in bodies:
        try:
            accepted.append(model.model_validate(body))
        except ValueError:
            continue
    event(f"accepted {len(accepted)}")
    answer = score_records(accepted, workspace())
    assert len(answer["predictions"]) + len(answer["rejected"]) == len(accepted)
    assert all(item["reason"] for item in answer["rejected"])
    assert all(0 <= p["churn_probability"] <= 1 for p in answer["predictions"])
    assert not any(math.isnan(p["churn_probability"]) for p in answer["predictions"])


ROW = {"customer_id": "C1", "snapshot_month": "2026-06-01", "tenure_months": 3, "age_band": "18-24",
       "country": "DE", "device": "mobile", "acquisition_channel": "email",
       "membership_plan": "free", "payment_method": "card", "newsletter_subscribed": True,
       "app_installed": False, "sessions_30d": 3, "orders_30d": 1, "orders_90d": 2,
       "days_since_last_order": 4, "avg_order_value": 20.5, "discount_share": 0.1,
       "returns_90d": 0, "support_tickets_90d": 0, "email_open_rate": 0.3,
       "delivery_delay_days_avg": 1.0, "satisfaction_score": 4, "churned": 0}  # fmt: skip


def clean_rows(**columns: pd.Series) -> pd.DataFrame:
    """Two rows the contract passes, with the given columns in their place."""
    frame = pd.DataFrame([ROW, {**ROW, "customer_id": "C2"}])
    return frame.assign(**columns)


def test_arrow_float_ids_labels_and_categories_are_read_as_text():
    """A Parquet file pandas wrote from double[pyarrow] columns reads back so (its metadata):
    raw_text.as_text took % of it, which Arrow floats lack (NotImplementedError: mod)."""
    ids = pd.Series([100001.0, 100002.0], dtype="double[pyarrow]")
    assert as_text(ids).tolist() == ["100001", "100002"]
    artifacts = workspace()
    for name in ("customer_id", "churned", "age_band"):
        frame = clean_rows(**{name: pd.Series([1.0, 0.0], dtype="double[pyarrow]")})
        checked = check_chunk(frame, artifacts, "x.parquet", SeenKeys())
        assert len(checked.valid) + len(checked.rejected) == 2
        contract, policies, data = artifacts.contract, artifacts.policies, artifacts.data
        result = apply_contract(frame, contract, policies, data, "x.parquet")
        assert len(result.valid) + len(result.rejected) == 2
