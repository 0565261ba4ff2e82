"""Fast paths of batch scoring give exactly what the general code gives: same typed values,
same masks, same reject reasons, same repeats, same model matrix."""

from __future__ import annotations

import itertools
import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import xgboost as xgb

from churn import coercion, column_checks, features, model_matrix
from churn.column_checks import check_feature
from churn.contract_spec import ColumnContract, Contract
from churn.customer_keys import SeenKeys, repeated_ids, snapshot_keys
from churn.data_params import DataParams, Policies
from churn.features import MISSING, UNKNOWN, FeatureSpec
from churn.model import predict_proba, threads_per_call
from churn.model_matrix import encode_levels, level_codes, transform
from churn.scoring import check_chunk, probabilities
from churn.scoring_contract import contract_for_scoring
from churn.validation import apply_contract

ROWS = 3000  # above few_arrow_strings' sample, so that the distinct route is taken
TEXT_DTYPES = ["string", pd.StringDtype("pyarrow"), "str"]
ODD_TEXT = ["DE", " FR", "GB ", "NA", "", None, "-", "XX", "  ", "null", "de", "?", "N/A"]


def repeated(values: list, dtype) -> pd.Series:
    """values cycled to ROWS rows, on an index that does not start at 0 (as chunks have)."""
    cycled = [values[at % len(values)] for at in range(ROWS)]
    return pd.Series(cycled, dtype=dtype, name="country", index=pd.RangeIndex(7, 7 + ROWS))


def general_categorical(column: pd.Series) -> coercion.Coerced:
    """coerce_categorical's row by row route."""
    text = coercion.as_text(column)
    blank = coercion.blank_mask(text)
    untouched = coercion.no_rows(column)
    return coercion.Coerced(coercion.without(text, blank), blank, untouched, untouched)


def assert_same_coerced(fast: coercion.Coerced, general: coercion.Coerced) -> None:
    for mine, theirs in zip(fast, general, strict=True):
        if mine is None or theirs is None:  # Coerced.infinite: numbers only
            assert mine is theirs
            continue
        pd.testing.assert_series_equal(mine, theirs)


@pytest.mark.parametrize("dtype", TEXT_DTYPES)
@pytest.mark.parametrize(
    "values",
    [
        ["DE", "FR", "GB"],  # clean: the column itself
        ["DE", "FR", None],  # missing values
        ["DE", float("nan"), "GB"],  # NaN in a text column
        ["DE", "ZZ", "GB"],  # a category the contract lacks
        ODD_TEXT,  # spaces, blanks, markers, other case
        ["NA", "null", ""],  # nothing but markers
    ],
)
def test_categorical_by_distinct_matches_the_row_route(values, dtype):
    column = repeated(values, dtype)
    assert coercion.few_arrow_strings(column)
    assert_same_coerced(coercion.coerce_categorical(column), general_categorical(column))


def test_ids_and_other_columns_take_the_row_route():
    ids = pd.Series([f"C{at}" for at in range(ROWS)], dtype="string")
    assert not coercion.few_arrow_strings(ids)  # every value distinct: nothing to gain
    assert not coercion.few_arrow_strings(repeated(["1", "2"], object))  # not Arrow-backed
    assert not coercion.few_arrow_strings(repeated([1.0, 2.0], "float64"))
    assert not coercion.few_arrow_strings(pd.Series(["DE"] * 10, dtype="string"))  # short


def assert_same_check(fast, general) -> None:
    pd.testing.assert_series_equal(fast.values, general.values)
    assert [name for name, _ in fast.failures] == [name for name, _ in general.failures]
    for (_, mine), (_, theirs) in zip(fast.failures, general.failures, strict=True):
        pd.testing.assert_series_equal(mine, theirs)
    assert (fast.coerced, fast.retyped, fast.new_categories) == (
        general.coerced,
        general.retyped,
        general.new_categories,
    )


def both_routes(monkeypatch, column: pd.Series, contract: ColumnContract, scoring: bool):
    """check_feature's result with its fast paths, then without them."""
    fast = check_feature(column, contract, Policies(), "x", scoring, 20)
    monkeypatch.setattr(column_checks, "fast_check", lambda *args: None)
    monkeypatch.setattr(coercion, "few_arrow_strings", lambda column: False)
    return fast, check_feature(column, contract, Policies(), "x", scoring, 20)


@pytest.mark.parametrize("dtype", TEXT_DTYPES)
@pytest.mark.parametrize("values", [ODD_TEXT, ["DE", "FR", None, "XX", "de"], ["DE", "GB"]])
@pytest.mark.parametrize("nullable", [True, False])
@pytest.mark.parametrize("scoring", [True, False])
def test_check_feature_reasons_are_the_same_either_route(
    monkeypatch, dtype, values, nullable, scoring
):
    contract = ColumnContract(
        "country", "feature", "categorical", nullable=nullable, categories=["DE", "FR", "GB"]
    )
    fast, general = both_routes(monkeypatch, repeated(values, dtype), contract, scoring)
    assert_same_check(fast, general)
    assert fast.new_categories == (() if values == ["DE", "GB"] else ("XX", "de"))


@pytest.mark.parametrize(
    "values",
    [
        [1.0, 2.5, 0.0],
        [1.0, np.nan, 700.0, -1.0, 3.0],  # missing, above max, below min
        [1.0, np.inf, 2.0, 3.0, -np.inf, 4.0, 5.0, np.nan],  # infinities: general route
        ["1", "x", None, "1,200"],  # text in a number column
    ],
)
@pytest.mark.parametrize("dtype", ["float64", "Float64", "Int64", object])
@pytest.mark.parametrize("nullable", [True, False])
@pytest.mark.parametrize("scoring", [True, False])
def test_number_checks_are_the_same_either_route(monkeypatch, values, dtype, nullable, scoring):
    if dtype in ("Int64", "Float64", "float64") and isinstance(values[0], str):
        pytest.skip("text does not fit a number dtype")
    if dtype == "Int64" and any(v != int(v) for v in values if not pd.isna(v) and np.isfinite(v)):
        pytest.skip("fractions do not fit Int64")
    if dtype == "Int64" and any(np.isinf(v) for v in values if not pd.isna(v)):
        pytest.skip("infinities do not fit Int64")
    column = pd.Series(values * 500, dtype=dtype, name="tenure_months")
    contract = ColumnContract(
        "tenure_months", "feature", "numeric", nullable=nullable, min=0, max=600
    )
    fast, general = both_routes(monkeypatch, column, contract, scoring)
    assert_same_check(fast, general)


def hashed_repeats(frame: pd.DataFrame, valid: pd.DataFrame, data: DataParams, seen) -> np.ndarray:
    """repeated_ids as it was: every (id, snapshot) key hashed as a frame."""
    positions = np.arange(len(valid))
    keys = pd.DataFrame({"id": valid[data.id].astype("string").array})
    if data.timestamp in frame.columns:
        keys = pd.concat([keys, snapshot_keys(frame[data.timestamp], positions)], axis=1)
    has_id = keys["id"].notna().to_numpy()
    repeat = np.zeros(len(valid), dtype=bool)
    hashes = pd.util.hash_pandas_object(keys[has_id], index=False).to_numpy()
    repeat[has_id] = seen.repeats(hashes)
    return repeat


@pytest.mark.parametrize("with_snapshot", [True, False])
def test_repeated_ids_match_hashing_whole_keys(with_snapshot):
    data = DataParams(
        target="churned",
        positive_label=1,
        id="customer_id",
        timestamp="snapshot_month" if with_snapshot else "",
    )
    chunks = [
        pd.DataFrame(
            {
                "customer_id": ["C1", "C2", "C1", None, "C3", None, "C4", "C4"],
                "snapshot_month": [
                    "2026-06-01",
                    "2026-06-01",
                    "2026-06-01T00:00:00",
                    "2026-06",
                    "NA",
                    None,
                    "2026-07-01",
                    "June",
                ],
            }
        ),
        pd.DataFrame(
            {
                "customer_id": ["C1", "C2", "C3", "C4", "C4", "C5"],
                "snapshot_month": ["2026-07-01", "2026-06-01", None, "June", "June", "-"],
            }
        ),
    ]
    mine, theirs = SeenKeys(), SeenKeys()
    for chunk in chunks:
        frame = chunk if with_snapshot else chunk.drop(columns="snapshot_month")
        valid = frame.astype({"customer_id": "string"})
        found = repeated_ids(frame, valid, np.arange(len(frame)), data, mine)
        np.testing.assert_array_equal(found, hashed_repeats(frame, valid, data, theirs))


def test_transform_in_the_models_order_is_the_same_matrix():
    spec = FeatureSpec(
        numeric=["orders_30d", "orders_90d"],
        categorical={"device": ["desktop", "mobile", "__missing__", "__unknown__"]},
        engineered=["order_trend"],
    )
    frame = pd.DataFrame(
        {
            "orders_30d": [1.0, np.nan, 3.0, 0.0],
            "orders_90d": [3.0, 2.0, 0.0, np.nan],
            "device": pd.Series(["mobile", None, "tv", "desktop"], dtype="string"),
        }
    )
    in_spec_order = transform(frame, spec)
    model_order = list(reversed(spec.feature_names))
    in_model_order = transform(frame, spec, columns=model_order)
    assert list(in_model_order.columns) == model_order
    pd.testing.assert_frame_equal(in_model_order, in_spec_order[model_order])
    assert in_model_order.to_numpy().flags.c_contiguous  # XGBoost reads rows
    other = transform(frame, spec, columns=["orders_30d"])  # not the spec's names: spec order
    assert list(other.columns) == spec.feature_names


def factorized_levels(column: pd.Series, levels: list[str]) -> tuple[np.ndarray, int]:
    """level_codes and count_unknown as they were: through pd.factorize."""
    codes, uniques = pd.factorize(column.astype("string"))
    known = {level: i for i, level in enumerate(levels) if level not in (MISSING, UNKNOWN)}
    position = {name: levels.index(name) if name in levels else -1 for name in (MISSING, UNKNOWN)}
    lookup = [known.get(value, position[UNKNOWN]) for value in uniques] + [position[MISSING]]
    unseen = [value not in known for value in uniques] + [False]
    found = np.asarray(lookup, dtype=np.intp)[codes] % len(levels)
    return found, int(np.asarray(unseen)[codes].sum())


@pytest.mark.parametrize(
    "levels",
    [
        ["DE", "FR", MISSING, UNKNOWN],
        ["DE", "FR"],  # hand-written: no special levels
        ["DE", UNKNOWN, "FR", MISSING],  # special levels first
        ["DE", "FR", "DE", MISSING, UNKNOWN],  # a level twice
        [MISSING, UNKNOWN],
    ],
)
@pytest.mark.parametrize(
    "column",
    [
        pd.Series(["DE", "FR", None, "XX", "de", UNKNOWN, MISSING, " DE"], dtype="string"),
        pd.Series(["DE", "FR", None, "XX"], dtype=pd.StringDtype("python")),
        pd.Series(["DE", "FR", None, "XX"], dtype="str"),
        pd.Series(["DE", "FR", None, "XX"], dtype=pd.ArrowDtype(pa.string())),
        pd.Series(["DE", "FR", None, 3], dtype=object),
        pd.Series([1.0, None, 2.0], dtype="float64"),
        pd.Series([None, None], dtype="string"),
    ],
)
def test_level_codes_in_arrow_match_factorize(levels, column):
    codes, unseen = encode_levels(column, levels)
    expected_codes, expected_unseen = factorized_levels(column, levels)
    np.testing.assert_array_equal(codes, expected_codes)
    assert unseen == expected_unseen
    np.testing.assert_array_equal(level_codes(column, levels), expected_codes)


@pytest.mark.parametrize(
    "levels",
    [["DE", "FR", MISSING, UNKNOWN], ["DE", "FR"], ["DE", UNKNOWN, "FR", MISSING],
     ["DE", "FR", "DE", MISSING, UNKNOWN], [MISSING, UNKNOWN]],
)  # fmt: skip
@pytest.mark.parametrize("dtype", ["string", "str", pd.StringDtype("pyarrow")])
@pytest.mark.parametrize(
    "values", [["DE", "FR", None, "XX", "de", UNKNOWN, MISSING, " DE"], [None, None], ["FR"]]
)
def test_level_codes_from_the_dictionary_match_encode_levels(levels, dtype, values):
    column = repeated(values, dtype)
    codes, distinct = coercion.arrow_dictionary(column)
    rebuilt = [distinct[at] if at >= 0 else None for at in codes]
    assert rebuilt == [None if pd.isna(value) else value for value in column]
    found, unseen = model_matrix.encode_dictionary(codes, distinct, levels)
    expected, expected_unseen = encode_levels(column, levels)
    np.testing.assert_array_equal(found, expected)
    assert unseen == expected_unseen


def test_check_chunk_codes_match_encoding_the_valid_rows():
    rows = 3000
    frame = pd.DataFrame(
        {
            "customer_id": pd.Series([f"C{at % 2950}" for at in range(rows)], dtype="string"),
            "snapshot_month": ["2026-01-01"] * rows,
            "tenure_months": [[3.0, -1.0, 12.0][at % 3] for at in range(rows)],
            "country": pd.Series([["DE", "FR", None, "XX"][at % 4] for at in range(rows)],
                                 dtype="string"),
        }
    )  # fmt: skip
    contract = Contract([*SCORED_CONTRACT.columns[:3], ColumnContract("country", "feature",
                                                                     "categorical")])  # fmt: skip
    spec = FeatureSpec(["tenure_months"], {"country": ["DE", "GB", MISSING, UNKNOWN]}, [])
    data = DataParams("churned", 1, "customer_id", "snapshot_month")
    artifacts = SimpleNamespace(data=data, contract=contract, policies=Policies(), spec=spec)
    checked = check_chunk(frame, artifacts, "x", SeenKeys())
    assert len(checked.rejected) and len(checked.valid)  # rows went either way
    assert contract_for_scoring(frame, artifacts, "x").dictionaries  # the dictionary route
    general = model_matrix.encode_categories(checked.valid, spec)
    for column, (codes, unseen) in checked.encoded.items():
        np.testing.assert_array_equal(codes, general[column][0])
        assert unseen == general[column][1]


def test_scoring_in_pieces_on_threads_gives_the_same_probabilities():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(3000, 4)), columns=list("abcd"))
    booster = xgb.train(
        {"max_depth": 3, "nthread": 2}, xgb.DMatrix(frame, label=frame["a"] > 0), 20
    )
    artifacts = SimpleNamespace(model=booster)
    matrix = frame.astype(np.float32)
    whole = predict_proba(booster, matrix)
    with ThreadPoolExecutor(max_workers=2) as pool, threads_per_call(booster, 1):
        assert json.loads(booster.save_config())["learner"]["generic_param"]["nthread"] == "1"
        pieces = probabilities(matrix, artifacts, pool, threads=2, rows=256)
        odd = probabilities(matrix.iloc[:999], artifacts, pool, threads=2, rows=100)
    np.testing.assert_array_equal(pieces, whole)  # bit for bit
    np.testing.assert_array_equal(odd, whole[:999])
    assert json.loads(booster.save_config())["learner"]["generic_param"]["nthread"] == "2"


def test_seen_keys_in_runs_find_every_repeat_across_many_chunks():
    rng = np.random.default_rng(1)
    seen, reference = SeenKeys(), set()
    for size in [0, 5, 300, 7, 1000, 64, 2000, 1, 500, 3000, 20, 900]:
        hashes = rng.integers(0, 5000, size=size).astype(np.uint64)  # many repeats
        expected = []
        for value in hashes.tolist():
            expected.append(value in reference)
            reference.add(value)
        np.testing.assert_array_equal(seen.repeats(hashes), np.asarray(expected, dtype=bool))
        sizes = [len(run) for run in seen.runs]
        assert all(big > 2 * small for big, small in itertools.pairwise(sizes))
    assert sum(len(run) for run in seen.runs) == len(reference)


def contract_by_frames(frame: pd.DataFrame, artifacts) -> dict:
    """contract_for_scoring as it was: apply_contract on the frame with a column of input
    positions, the valid and rejected rows read back from the frames it builds."""
    data = artifacts.data
    policies = replace(artifacts.policies, new_column="include")
    unused = [c for c in (data.target, data.timestamp) if c and c in frame.columns]
    numbered = frame.drop(columns=unused).assign(__row__=np.arange(len(frame)))
    known = set(artifacts.contract.names())
    wanted = [*artifacts.spec.input_columns, data.id]
    new = ["__row__", *(name for name in wanted if name and name not in known)]
    result = apply_contract(numbered, artifacts.contract, policies, data, "x", True, 20, False, new)
    return {
        "valid": result.valid.drop(columns="__row__"),
        "positions": result.valid["__row__"].to_numpy(dtype=np.int64),
        "failed_at": result.rejected["__row__"].astype(int).to_numpy(),
        "reasons": list(result.rejected["reject_reason"]),
        "coerced": result.counts.get("coerced", {}),
    }


SCORED_CONTRACT = Contract(
    [
        ColumnContract("customer_id", "id", "categorical", nullable=False),
        ColumnContract("snapshot_month", "timestamp", "datetime", nullable=False),
        ColumnContract("tenure_months", "feature", "numeric", nullable=False, min=0, max=600),
        ColumnContract("country", "feature", "categorical", nullable=False, categories=["DE"]),
        ColumnContract("app_installed", "feature", "boolean", nullable=True),
        ColumnContract("orders_30d", "feature", "numeric", nullable=True),
    ]
)


@pytest.mark.parametrize("missing_column", ["impute", "fail"])
@pytest.mark.parametrize("dtype", ["string", object])
def test_contract_for_scoring_matches_apply_contract(missing_column, dtype):
    rows = 3000
    frame = pd.DataFrame(
        {
            "customer_id": pd.Series(
                [f"C{at % 2900}" if at % 97 else None for at in range(rows)], dtype=dtype
            ),
            "snapshot_month": ["2026-01-01"] * rows,
            "tenure_months": [[3.0, -1.0, np.nan, 700.0, 12.0][at % 5] for at in range(rows)],
            "country": pd.Series([ODD_TEXT[at % len(ODD_TEXT)] for at in range(rows)], dtype=dtype),
            "app_installed": [["1", "yes", "x", None, "0"][at % 5] for at in range(rows)],
            "video_minutes": [str(at % 7) for at in range(rows)],  # new, read by the model
            "notes": ["a"] * rows,  # new, not read: ignored
            "churned": ["1"] * rows,
        },
        index=pd.RangeIndex(5, 5 + rows),
    )
    spec = FeatureSpec(["tenure_months", "app_installed", "orders_30d", "video_minutes"],
                       {"country": ["DE", MISSING, UNKNOWN]}, [])  # fmt: skip
    data = DataParams("churned", 1, "customer_id", "snapshot_month")
    policies = Policies(missing_column=missing_column, type_change="quarantine")
    artifacts = SimpleNamespace(data=data, contract=SCORED_CONTRACT, policies=policies, spec=spec)
    frame = frame if missing_column == "impute" else frame.assign(orders_30d=1.0)
    lean = contract_for_scoring(frame, artifacts, "x")
    general = contract_by_frames(frame, artifacts)
    assert list(lean.valid.columns) == list(general["valid"].columns)
    pd.testing.assert_frame_equal(lean.valid, general["valid"])
    np.testing.assert_array_equal(lean.positions, general["positions"])
    np.testing.assert_array_equal(lean.failed_at, general["failed_at"])
    assert lean.reasons == general["reasons"]
    assert lean.coerced == general["coerced"]
    assert len(lean.failed_at) and len(lean.positions)  # both kinds of rows were met


def engineered_in_pandas(frame: pd.DataFrame) -> dict[str, pd.Series]:
    """The engineered features as they were computed: pandas operations on the frame."""

    def ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
        return numerator.astype("float64") / denominator.astype("float64").where(denominator > 0)

    return {
        "orders_per_session": ratio(frame["orders_30d"], frame["sessions_30d"]),
        "order_trend": ratio(3 * frame["orders_30d"], frame["orders_90d"]),
        "return_rate": ratio(frame["returns_90d"], frame["orders_90d"]),
        "tickets_per_order": frame["support_tickets_90d"].astype("float64")
        / (frame["orders_90d"] + 1),
    }


def test_engineered_features_in_numpy_match_pandas_bit_for_bit():
    odd = [0.0, -1.0, 1.0, 3.0, np.nan, 1e-300, 1e300, np.inf, -np.inf, 7.5, 2.0**53 + 1]
    rng = np.random.default_rng(3)
    columns = ["orders_30d", "sessions_30d", "orders_90d", "returns_90d", "support_tickets_90d"]
    frame = pd.DataFrame({name: rng.choice(odd, 5000) for name in columns})
    arrays = {name: frame[name].to_numpy() for name in columns}
    with np.errstate(all="ignore"):
        for name, expected in engineered_in_pandas(frame).items():
            got = features.ENGINEERED[name][1](arrays)
            assert got.tobytes() == expected.to_numpy().tobytes(), name
