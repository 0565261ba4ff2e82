"""The scoring API through a real uvicorn process on 127.0.0.1, and training/serving skew."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator

import httpx
import numpy as np
import pandas as pd
import pytest

from churn.features import transform
from churn.model import predict_proba
from tests.helpers import REPO, VENV_BIN
from tests.model.server import MAX_BODY_BYTES, serving_env, start_server, uvicorn_command

ID = "customer_id"


@pytest.fixture(scope="module")
def api(trained) -> Iterator[str]:
    yield from start_server(serving_env(trained.root), REPO)  # contracts/churn.yaml from params


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows as JSON-ready dicts, NaN as null (what a client would send)."""
    return json.loads(frame.drop(columns=["snapshot_month"]).to_json(orient="records"))


def post(api: str, body, **kwargs) -> httpx.Response:
    return httpx.post(f"{api}/predict", json=body, timeout=60, **kwargs)


def test_health_and_model_describe_the_served_artifacts(api, trained):
    health = httpx.get(f"{api}/health").json()
    info = httpx.get(f"{api}/model").json()
    assert health["status"] == "ok"
    assert info["model_version"] == health["model_version"]
    assert health["model_version"].startswith("workspace+md5:")
    assert info["features"] == trained.spec.feature_names
    assert info["metrics"]["test"]["roc_auc"] > 0.7


def test_one_record_is_scored(api, trained):
    response = post(api, records(trained.test_rows.head(1))[0])
    assert response.status_code == 200, response.text
    prediction = response.json()["predictions"][0]
    assert prediction["id"] == trained.test_rows[ID].iloc[0]
    assert 0 < prediction["churn_probability"] < 1
    assert prediction["churn_decision"] == (prediction["churn_probability"] >= 0.5)


def test_ids_come_back_as_the_client_sent_them(api, trained):
    sent = records(trained.test_rows.head(2))
    sent[0][ID], sent[1][ID] = " C1 ", "007"
    response = post(api, sent)
    assert [p["id"] for p in response.json()["predictions"]] == [" C1 ", "007"], response.text


def test_training_batch_and_api_scores_are_identical(api, trained, tmp_path):
    """The same rows through evaluate's path, the batch CLI and the HTTP API: equal bit for bit."""
    rows = trained.test_rows.head(1000)
    expected = predict_proba(trained.model, transform(rows, trained.spec))
    rows.to_parquet(tmp_path / "rows.parquet")
    subprocess.run(
        [sys.executable, "-m", "churn.predict", "--input", str(tmp_path / "rows.parquet"),
         "--output", str(tmp_path / "scores.parquet"), "--model", str(trained.root / "model.json"),
         "--features", str(trained.root / "features.json"),
         "--params", str(trained.root / "params.yaml"), "--chunk-size", "300"],
        check=True, cwd=REPO, capture_output=True,
    )  # fmt: skip
    batch = pd.read_parquet(tmp_path / "scores.parquet")
    served = post(api, records(rows)).json()["predictions"]
    assert batch["id"].tolist() == rows[ID].tolist() == [p["id"] for p in served]
    np.testing.assert_array_equal(batch["churn_probability"].to_numpy(), expected)
    np.testing.assert_array_equal([p["churn_probability"] for p in served], expected)


def test_an_empty_list_gets_no_predictions(api):
    response = post(api, [])
    assert response.status_code == 200
    assert response.json()["predictions"] == []


def test_malformed_json_is_a_422(api):
    response = httpx.post(
        f"{api}/predict",
        content=b'{"tenure_months": 3,',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422
    assert "json" in response.text.lower()


def test_wrong_type_is_a_422_naming_the_field(api, trained):
    record = records(trained.test_rows.head(1))[0] | {"orders_30d": "many"}
    response = post(api, record)
    assert response.status_code == 422
    assert "orders_30d" in {
        str(part) for error in response.json()["detail"] for part in error["loc"]
    }


def test_one_bad_record_of_a_list_is_a_short_422_naming_record_and_field(api, trained):
    """The error says which record and field, with the value, and does not echo the request."""
    batch = records(trained.test_rows.head(300))
    batch[1]["tenure_months"] = -1
    response = post(api, batch)
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "loc": ["body", 1, "tenure_months"],
            "msg": "Input should be greater than or equal to 0",
            "type": "greater_than_equal",
            "input": -1,
        }
    ]
    assert len(response.content) < 500


def nan_body(record: dict) -> bytes:
    """What Python's json module sends for a pandas gap: a bare NaN."""
    return json.dumps(record).encode()


def test_nan_from_python_clients_is_a_missing_value_or_a_422_never_a_500(api, trained):
    record = records(trained.test_rows.head(1))[0]
    headers = {"content-type": "application/json"}
    with_null = post(api, record | {"satisfaction_score": None}).json()
    with_nan = httpx.post(f"{api}/predict", content=nan_body(
        record | {"satisfaction_score": float("nan")}), headers=headers)  # fmt: skip
    assert with_nan.status_code == 200  # a nullable field: NaN is missing, as in batch scoring
    assert with_nan.json()["predictions"] == with_null["predictions"]
    broken = record | {"tenure_months": float("nan"), "note": float("nan")}  # note: an extra
    required = httpx.post(f"{api}/predict", content=nan_body(broken), headers=headers)
    assert required.status_code == 422
    assert required.json()["detail"] == [
        {"loc": ["body", "tenure_months"], "msg": "Input should be a finite number",
         "type": "finite_number"}
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("spelled", "canonical"),
    [
        ({"satisfaction_score": ""}, {"satisfaction_score": None}),
        ({"satisfaction_score": "NA"}, {"satisfaction_score": None}),
        ({"newsletter_subscribed": "on"}, {"newsletter_subscribed": True}),
        ({ID: 12345}, {ID: "12345"}),
    ],
    ids=["blank", "NA", "on", "numeric-id"],
)
def test_the_api_reads_other_spellings_as_their_plain_values(api, trained, spelled, canonical):
    record = records(trained.test_rows.head(1))[0]
    assert post(api, record | spelled).json() == post(api, record | canonical).json()


def test_missing_field_is_a_422_naming_the_field(api, trained):
    record = records(trained.test_rows.head(1))[0]
    del record["device"]
    response = post(api, [record])
    assert response.status_code == 422
    assert "device" in {str(part) for error in response.json()["detail"] for part in error["loc"]}


def test_extra_fields_are_ignored_and_listed(api, trained):
    record = records(trained.test_rows.head(1))[0]
    plain = post(api, record).json()
    extra = post(api, record | {"favourite_colour": "teal", "churned": 1}).json()
    assert extra["ignored_fields"] == ["churned", "favourite_colour"]
    assert extra["predictions"] == plain["predictions"]


def test_unseen_category_is_scored_as_unknown_and_counted(api, trained):
    record = records(trained.test_rows.head(1))[0] | {"device": "smart-fridge"}
    body = post(api, record).json()
    assert body["unknown_categories"] == {"device": 1}
    as_unknown = trained.test_rows.head(1).assign(device="__unknown__")
    expected = predict_proba(trained.model, transform(as_unknown, trained.spec))[0]
    assert body["predictions"][0]["churn_probability"] == expected


def test_huge_payload_is_rejected_with_413(api):
    response = httpx.post(
        f"{api}/predict", content=b"[" + b" " * MAX_BODY_BYTES + b"]",
        headers={"content-type": "application/json"}, timeout=60,
    )  # fmt: skip
    assert response.status_code == 413


def test_a_python_client_sending_too_much_gets_the_413_not_a_reset(api):
    """urllib sends the whole body before reading the answer: the server drains it first."""
    body = b"[" + b" " * (4 * MAX_BODY_BYTES) + b"]"
    request = urllib.request.Request(
        f"{api}/predict", data=body, headers={"content-type": "application/json"}
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=60)
    assert refused.value.code == 413


def test_openapi_shows_every_field_with_type_and_known_values(api, trained):
    schema = httpx.get(f"{api}/openapi.json").json()["components"]["schemas"]["Customer"]
    for column in trained.spec.input_columns:
        assert column in schema["properties"], column
        assert column in schema["required"], column
    device = schema["properties"]["device"]
    assert "mobile" in device["x-known-values"] and "mobile" in device["description"]
    orders = schema["properties"]["orders_30d"]
    assert "number" in [orders.get("type"), *(kind.get("type") for kind in orders.get("anyOf", []))]


@pytest.mark.parametrize("problem", ["missing model", "mismatched features"])
def test_server_refuses_to_start_on_bad_artifacts(trained, tmp_path, problem):
    env = serving_env(trained.root, CHURN_MODEL=str(tmp_path / "absent.json"))
    if problem == "mismatched features":
        spec = json.loads((trained.root / "features.json").read_text())
        spec["categorical"]["device"] = spec["categorical"]["device"][1:]
        (tmp_path / "features.json").write_text(json.dumps(spec))
        env = serving_env(trained.root, CHURN_FEATURES=str(tmp_path / "features.json"))
    result = subprocess.run(uvicorn_command(0), env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    message = [line for line in result.stderr.splitlines() if "churn.serve: error" in line]
    assert message, result.stderr
    assert ("not found" if problem == "missing model" else "do not match") in message[0]
    assert "Traceback" not in result.stderr


def test_schemathesis_finds_no_server_error(api, tmp_path):
    result = subprocess.run(
        [str(VENV_BIN / "st"), "run", f"{api}/openapi.json",
         "--checks", "not_a_server_error", "--max-examples", "40", "--seed", "1",
         "--generation-deterministic", "--workers", "1"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:]


def test_contract_limits_are_422_and_contract_row_failures_are_listed(api, trained):
    record = records(trained.test_rows.head(1))[0]
    below = post(api, record | {"tenure_months": -5})
    assert below.status_code == 422
    assert "tenure_months" in below.text
    nobody = post(api, [record | {"customer_id": ""}]).json()
    assert nobody["predictions"] == [] and nobody["rejected"][0]["reason"].startswith("null:")
    twice = post(api, [record, record]).json()
    assert len(twice["predictions"]) == 1
    assert twice["rejected"] == [{"index": 1, "reason": "duplicate_id:customer_id"}]
