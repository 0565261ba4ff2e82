"""The scoring API through a real uvicorn process on 127.0.0.1, and training/serving skew."""

from __future__ import annotations

import asyncio
import json
import re
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import httpx
import jsonschema
import numpy as np
import pandas as pd
import pytest
import yaml

from churn import serve
from churn.model import predict_proba
from churn.model_matrix import transform
from churn.serve import create_app
from churn.serve_settings import Settings
from tests.fork_server import run_module
from tests.helpers import REPO, VENV_BIN
from tests.model.server import (
    MAX_BODY_BYTES,
    params_with_an_unread_contract_column,
    params_with_contract_columns,
    serving_env,
    start_server,
    uvicorn_command,
    write_lock,
)

ID = "customer_id"
NOT_UTF8 = (
    "The body is not UTF-8 text (byte 0x{} at position {}): send the JSON encoded as UTF-8, "
    "whatever charset the Content-Type names"
)
MAX_RECORDS = 1000  # the bulk size clients send; the default (10,000) is tested without a server


@pytest.fixture(scope="module")
def api(trained, tmp_path_factory) -> Iterator[str]:
    lock = write_lock(tmp_path_factory.mktemp("lock"), *served_pair(trained))
    env = serving_env(trained.root, CHURN_DVC_LOCK=str(lock), CHURN_MAX_RECORDS=str(MAX_RECORDS))
    yield from start_server(env, REPO)  # contracts/churn.yaml from params


def served_pair(trained) -> tuple[Path, Path]:
    """The model file and the metrics file evaluate wrote for it."""
    return trained.root / "model.json", trained.root / "eval/metrics.json"


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
    assert info["metrics_verified"] is True, info["metrics_check"]


async def get_in_process(app, path: str) -> dict:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
        return (await client.get(path)).json()


def test_without_a_dvc_lock_model_says_the_metrics_are_unchecked(trained, tmp_path):
    model, metrics = served_pair(trained)
    settings = Settings(model, trained.root / "features.json", trained.root / "params.yaml",
                        metrics, lock=tmp_path / "dvc.lock")  # fmt: skip
    info = asyncio.run(get_in_process(create_app(settings), "/model"))
    assert info["metrics"]["test"]["roc_auc"] > 0.7
    assert info["metrics_verified"] is False
    assert info["metrics_check"].startswith(f"no dvc.lock at {tmp_path / 'dvc.lock'}")


def test_the_served_booster_scores_on_one_thread_per_request(trained, tmp_path, monkeypatch):
    """A booster loaded from a file has no thread count: each call then started XGBoost's
    threads (1-10 ms for one record). Requests run side by side on uvicorn's threads instead."""
    served = []
    monkeypatch.setattr(serve, "add_routes", lambda app, artifacts, *rest: served.append(artifacts))
    model, metrics = served_pair(trained)
    create_app(Settings(model, trained.root / "features.json", trained.root / "params.yaml",
                        metrics, lock=tmp_path / "dvc.lock"))  # fmt: skip
    config = json.loads(served[0].model.save_config())
    assert config["learner"]["generic_param"]["nthread"] == "1"


def test_one_record_is_scored(api, trained):
    response = post(api, records(trained.test_rows.head(1))[0])
    assert response.status_code == 200, response.text
    prediction = response.json()["predictions"][0]
    assert prediction["id"] == trained.test_rows[ID].iloc[0]
    assert 0 < prediction["churn_probability"] < 1
    threshold = yaml.safe_load((trained.root / "params.yaml").read_text())["evaluate"]["threshold"]
    assert prediction["churn_decision"] == (prediction["churn_probability"] >= threshold)


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


def test_too_many_records_are_one_short_422_naming_the_limit(api):
    """100,000 empty objects (300 KB) once took ~50 s and answered 160 MB of "Field required"."""
    body = b"[" + b",".join([b"{}"] * 100_000) + b"]"
    response = post_bytes(api, body)
    assert response.status_code == 422
    assert response.json() == {
        "detail": [{"loc": ["body"], "type": "too_many_records",
                    "msg": f"A request holds at most {MAX_RECORDS} records (CHURN_MAX_RECORDS), "
                           "this one 100000: send them in several requests, or use batch scoring"}],
        "error_count": 1,
    }  # fmt: skip


def test_too_many_records_repeating_keys_are_refused_by_their_count(api):
    """The check for repeated keys costs Python per object: 278,571 such objects took 4 s (and
    held up /health) to answer duplicate_key, where their count is refused at once."""
    body = b"[" + b",".join([b'{"a": 1, "a": 2}'] * 100_000) + b"]"
    response = post_bytes(api, body)
    assert response.status_code == 422
    assert [error["type"] for error in response.json()["detail"]] == ["too_many_records"]


def test_a_422_lists_the_first_50_errors_and_counts_them_all(api, trained):
    response = post(api, [{}] * MAX_RECORDS)  # every field of every record is missing
    assert response.status_code == 422
    assert response.json()["error_count"] == MAX_RECORDS * len(trained.spec.input_columns)
    assert len(response.json()["detail"]) == 50
    assert response.json()["detail"][0]["loc"] == ["body", 0, trained.spec.input_columns[0]]
    assert len(response.content) < 5000


def post_bytes(api: str, body: bytes) -> httpx.Response:
    headers = {"content-type": "application/json"}
    return httpx.post(f"{api}/predict", content=body, headers=headers, timeout=60)


def test_a_body_that_is_not_utf8_is_the_documented_400(api, trained):
    """UTF-16 and UTF-32 bodies were scored (Python's json reads them), a 422 when cut short:
    JSON between systems is UTF-8 (RFC 8259), as the document says."""
    response = post_bytes(api, '{"country": "Espa\u00f1a"}'.encode("latin-1"))
    assert response.status_code == 400
    assert response.json() == {"detail": NOT_UTF8.format("f1", 17)}
    text = json.dumps(records(trained.test_rows.head(1))[0])
    for encoding in ("utf-16", "utf-32"):  # with a byte order mark, as Python writes them
        response = post_bytes(api, text.encode(encoding))
        assert response.status_code == 400, (encoding, response.text[:200])
        assert response.json() == {"detail": NOT_UTF8.format("ff", 0)}
    assert post_bytes(api, b"\xff\xfe").status_code == 400  # a UTF-16 byte order mark alone
    unmarked = post_bytes(api, text.encode("utf-16-be"))  # UTF-8 text, NUL before each character
    assert unmarked.json()["detail"][0]["type"] == "json_invalid", unmarked.text[:200]
    assert post_bytes(api, text.encode("utf-8-sig")).status_code == 200  # a BOM is ignored


def test_text_with_a_lone_surrogate_is_a_422_not_a_500(api, trained):
    """JSON may escape one ("\\ud800"); it broke scoring, and echoing it broke the 422."""
    record = records(trained.test_rows.head(1))[0]
    for field in (ID, "country"):
        response = post_bytes(api, json.dumps(record | {field: "C\ud800"}).encode())
        assert response.status_code == 422, response.text
        assert [(e["loc"], e["type"]) for e in response.json()["detail"]] == [
            (["body", field], "string_unicode")
        ]
    assert post_bytes(api, b'"\\ud800"').status_code == 422


@pytest.mark.parametrize(
    ("sent", "place", "found"),
    [
        (b'{"tenure_months": 3,', 20, "Expecting property name enclosed in double quotes"),
        (b'{"a": 1} {"b": 2}', 9, "Extra data"),
        (b"{'tenure_months': 3}", 1, "Expecting property name enclosed in double quotes"),
        (b"   ", 3, "Expecting value"),
    ],
)
def test_malformed_json_is_a_422_saying_what_json_found_where(api, sent, place, found):
    """It said "JSON decode error" alone: a trailing comma, two objects and single quotes got
    the same message."""
    response = post_bytes(api, sent)
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {
            "loc": ["body", place],
            "msg": f"JSON decode error: {found} (line 1, column {place + 1})",
            "type": "json_invalid",
        }
    ]


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
        {"loc": ["body", "tenure_months"], "type": "missing_value",
         "msg": "Input is a missing value, which this field does not allow"}
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("spelled", "canonical"),
    [
        ({"satisfaction_score": ""}, {"satisfaction_score": None}),
        ({"satisfaction_score": "NA"}, {"satisfaction_score": None}),
        ({"age_band": "null"}, {"age_band": None}),
        ({"newsletter_subscribed": "on"}, {"newsletter_subscribed": True}),
        ({"newsletter_subscribed": "1.0"}, {"newsletter_subscribed": 1}),
        ({"app_installed": " 0.00 "}, {"app_installed": False}),
        ({ID: 12345}, {ID: "12345"}),
    ],
    ids=["blank", "NA", "null-category", "on", "flag-1.0", "flag-0.00", "numeric-id"],
)
def test_the_api_reads_other_spellings_as_their_plain_values(api, trained, spelled, canonical):
    record = records(trained.test_rows.head(1))[0]
    assert post(api, record | spelled).json() == post(api, record | canonical).json()


@pytest.mark.parametrize(("sent", "kind"), [("1_000", "text"), ("26", "text"), (True, "a boolean")])
def test_numeric_fields_take_json_numbers_only(api, trained, sent, kind):
    """Python would read "1_000" as 1000 and true as 1; batch scoring does not: refused."""
    response = post(api, records(trained.test_rows.head(1))[0] | {"tenure_months": sent})
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"loc": ["body", "tenure_months"], "msg": f"Input should be a JSON number, not {kind}",
         "type": "number_type", "input": sent}
    ]  # fmt: skip


@pytest.mark.parametrize("marker", ["NA", "", "null", None])
@pytest.mark.parametrize("field", ["country", "tenure_months", "newsletter_subscribed"])
def test_a_missing_value_in_a_non_nullable_field_is_a_422_naming_it(api, trained, field, marker):
    """Alike for categorical, numeric and boolean fields (the contract allows no null there)."""
    response = post(api, [records(trained.test_rows.head(1))[0] | {field: marker}])
    assert response.status_code == 422, response.text
    assert [(e["loc"], e["type"]) for e in response.json()["detail"]] == [
        (["body", 0, field], "missing_value")
    ]


def test_missing_field_is_a_422_naming_the_field(api, trained):
    record = records(trained.test_rows.head(1))[0]
    del record["device"]
    response = post(api, [record])
    assert response.status_code == 422
    assert "device" in {str(part) for error in response.json()["detail"] for part in error["loc"]}


@pytest.mark.parametrize(
    "given",
    # invisible characters (zero-width space, a BOM at the start) and full-width letters got
    # "Field required" alone: the name sent looks like the field's
    ["TENURE_MONTHS", "Tenure Months", "tenure-months ", "tenure\u200bmonths",
     "\ufefftenure_months", "\uff54enure_months"],
)  # fmt: skip
def test_a_field_sent_under_another_spelling_is_named_in_its_422(api, trained, given):
    """It was "Field required" alone, the field sent being listed nowhere, where batch scoring
    names such a column ("the data has 'TENURE_MONTHS': names must match exactly")."""
    record = records(trained.test_rows.head(1))[0]
    record[given] = record.pop("tenure_months")
    expected = {
        "msg": f"Field required; the record has {given!r}: names must match exactly",
        "type": "missing",
    }
    assert post(api, record).json()["detail"] == [{"loc": ["body", "tenure_months"]} | expected]
    both = post(api, [records(trained.test_rows.head(1))[0], record]).json()["detail"]
    assert both == [{"loc": ["body", 1, "tenure_months"]} | expected]


def test_extra_fields_are_ignored_and_listed(api, trained):
    record = records(trained.test_rows.head(1))[0]
    plain = post(api, record).json()
    extra = post(api, record | {"favourite_colour": "teal", "churned": 1}).json()
    assert extra["ignored_fields"] == ["churned", "favourite_colour"]
    assert extra["ignored_field_count"] == 2
    assert extra["predictions"] == plain["predictions"]


def test_extra_fields_of_every_record_are_listed_once(api, trained):
    """Not only the first record's: a field any record sends that the model does not read."""
    first, second = records(trained.test_rows.head(2))
    body = [first | {"promo_code": "X"}, second | {"favourite_colour": "teal", "promo_code": "Y"}]
    result = post(api, body).json()
    assert result["ignored_fields"] == ["churned", "favourite_colour", "promo_code"]
    assert result["ignored_field_count"] == 3 and len(result["predictions"]) == 2


@pytest.mark.parametrize(
    ("field", "given", "key"),
    [
        ("customer_id", "Customer_ID", "data.id"),
        ("snapshot_month", "Snapshot Month", "data.timestamp"),
        ("customer_id", "customer\u200b_id", "data.id"),  # scored without its id, silently
    ],
)
def test_an_id_or_snapshot_field_spelt_otherwise_is_a_422_naming_both(
    api, trained, field, given, key
):
    """As batch scoring refuses such a column: the field was ignored, the record scored without
    its id (and listed under ignored_fields only)."""
    record = records(trained.test_rows.head(2))
    record[1] = {given if name == field else name: value for name, value in record[1].items()}
    record[1].setdefault(given, "2026-06-01")  # the snapshot, absent from the test records
    response = post(api, record)
    assert response.status_code == 422, response.text
    assert [(e["loc"], e["type"]) for e in response.json()["detail"]] == [
        (["body", 1], "field_spelling")
    ]
    message = response.json()["detail"][0]["msg"]
    assert message == f"Field {given!r} is not {field!r} ({key}): names must match exactly"
    both = record[1] | {field: record[0].get(field, "2026-06-01")}  # the right name too: extra
    assert given in post(api, both).json()["ignored_fields"]


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


@pytest.mark.parametrize("declared", [10**15, 2 * MAX_BODY_BYTES])
def test_a_body_declared_larger_than_sent_gets_the_413_not_a_hang(api, declared):
    """A client declaring more than the limit, then sending two bytes and waiting: the server
    waited for the rest of the body to drain it, so the request hung until the client gave up."""
    port = int(api.rsplit(":", 1)[1])
    head = (
        f"POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {declared}\r\n\r\n[]"
    )
    with socket.create_connection(("127.0.0.1", port), timeout=30) as client:
        client.sendall(head.encode())
        assert client.recv(64).startswith(b"HTTP/1.1 413 ")


def test_openapi_shows_every_field_with_type_and_known_values(api, trained):
    schema = httpx.get(f"{api}/openapi.json").json()["components"]["schemas"]["Customer"]
    for column in trained.spec.input_columns:
        assert column in schema["properties"], column
        assert column in schema["required"], column
    device = schema["properties"]["device"]
    assert "mobile" in device["x-known-values"] and "mobile" in device["description"]
    orders = schema["properties"]["orders_30d"]
    assert "number" in [orders.get("type"), *(kind.get("type") for kind in orders.get("anyOf", []))]


def unlocked_env(root: Path, **overrides: str) -> dict[str, str]:
    """serving_env without CHURN_DVC_LOCK: the default, dvc.lock next to params.yaml, is absent
    (allowed; a CHURN_DVC_LOCK set to an absent file is refused)."""
    env = serving_env(root, **overrides)
    del env["CHURN_DVC_LOCK"]
    return env


def refusal(env: dict[str, str]) -> str:
    """The one error line of a server that refuses to start (exit status 2, no traceback); its
    own process, forked from one that imported the libraries (tests/fork_server.py)."""
    result = run_module(uvicorn_command(0), env=env, timeout=60)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    message = [line for line in result.stderr.splitlines() if "churn.serve: error" in line]
    assert len(message) == 1, result.stderr
    return message[0]


PROBLEMS = [
    "missing model",
    "mismatched features",
    "truncated model",
    "id renamed in params",
    "contract contradicting params",
    "contract retyping a model input",
    "contract lacking a model input",
    "engineered features listed as data columns",
    "model not UTF-8",
    "model unreadable",
    "metrics unreadable",
]


@pytest.mark.parametrize("problem", PROBLEMS)
def test_server_refuses_to_start_on_bad_artifacts(trained, tmp_path, problem):
    env = unlocked_env(trained.root, CHURN_MODEL=str(tmp_path / "absent.json"))
    expected = "not found"
    if problem == "mismatched features":
        spec = json.loads((trained.root / "features.json").read_text())
        spec["categorical"]["device"] = spec["categorical"]["device"][1:]
        (tmp_path / "features.json").write_text(json.dumps(spec))
        env = unlocked_env(trained.root, CHURN_FEATURES=str(tmp_path / "features.json"))
        expected = "do not match"
    if problem == "truncated model":
        (tmp_path / "model.json").write_bytes((trained.root / "model.json").read_bytes()[:5000])
        env = unlocked_env(trained.root, CHURN_MODEL=str(tmp_path / "model.json"))
        expected = f"{tmp_path / 'model.json'}: model file is not valid JSON"
    if problem == "model not UTF-8":  # a Parquet file: a UnicodeDecodeError's text, no file name
        (tmp_path / "model.json").write_bytes(b"PAR1\xe8\x15\x00")
        env = unlocked_env(trained.root, CHURN_MODEL=str(tmp_path / "model.json"))
        expected = f"cannot start: {tmp_path / 'model.json'}: model file is not valid JSON"
    if problem in ("model unreadable", "metrics unreadable"):  # a traceback before
        # /proc/self/mem is a file no one can read from its start, root included (chmod 000
        # would stop only other users; a file the service user cannot read in an image)
        variable = "CHURN_MODEL" if problem == "model unreadable" else "CHURN_METRICS"
        env = unlocked_env(trained.root, **{variable: "/proc/self/mem"})
        expected = "cannot start: /proc/self/mem: cannot be read (Input/output error)"
    if problem == "id renamed in params":  # params.yaml edited since the model was trained
        params = yaml.safe_load((trained.root / "params.yaml").read_text())
        params["data"]["id"] = "CustomerID"
        (tmp_path / "params.yaml").write_text(yaml.safe_dump(params))
        env = unlocked_env(trained.root, CHURN_PARAMS=str(tmp_path / "params.yaml"))
        expected = "differ from the ['churned', 'customer_id', 'snapshot_month'] that"
    if problem == "contract contradicting params":  # the contract edited since training
        label = {"role": "feature", "type": "numeric", "nullable": True}
        params = params_with_contract_columns(trained.root / "params.yaml", tmp_path, churned=label)
        env = unlocked_env(trained.root, CHURN_PARAMS=str(params))
        expected = "gives 'churned' the feature role, params data.target names it as the target"
    if problem == "contract retyping a model input":  # it started, dropping tenure's range
        tenure = {"role": "feature", "type": "categorical", "nullable": False}
        params = params_with_contract_columns(
            trained.root / "params.yaml", tmp_path, tenure_months=tenure
        )
        env = unlocked_env(trained.root, CHURN_PARAMS=str(params))
        expected = "types 'tenure_months' as categorical, and the model reads it as numeric"
    if problem == "contract lacking a model input":  # it started: tenure checked as a new column
        params = params_with_contract_columns(trained.root / "params.yaml", tmp_path)
        contract = yaml.safe_load((tmp_path / "contract.yaml").read_text())
        del contract["columns"]["tenure_months"]
        (tmp_path / "contract.yaml").write_text(yaml.safe_dump(contract))
        env = unlocked_env(trained.root, CHURN_PARAMS=str(params))
        expected = "contract.yaml lacks 'tenure_months', a model input (the feature spec)"
    if problem == "engineered features listed as data columns":  # batch scoring then stopped
        spec = json.loads((trained.root / "features.json").read_text())
        spec["numeric"], spec["engineered"] = spec["numeric"] + spec["engineered"], []
        (tmp_path / "features.json").write_text(json.dumps(spec))
        env = unlocked_env(trained.root, CHURN_FEATURES=str(tmp_path / "features.json"))
        expected = "lacks 'orders_per_session' (and 3 more), an engineered feature (built from"
    assert expected in refusal(env)


@pytest.mark.parametrize("recorded", ["other model", "other metrics"])
def test_server_refuses_metrics_that_dvc_lock_does_not_record_for_the_model(
    trained, tmp_path, recorded
):
    """As after `git checkout v1.0` without `dvc checkout`: metrics.json (git) and model.json
    (DVC) from different runs, or CHURN_MODEL naming a model the metrics are not about."""
    model, metrics = served_pair(trained)
    other = tmp_path / "other.json"
    other.write_bytes((model if recorded == "other model" else metrics).read_bytes() + b" ")
    pair = (other, metrics) if recorded == "other model" else (model, other)
    lock = write_lock(tmp_path / "repo", *pair)
    message = refusal(serving_env(trained.root, CHURN_DVC_LOCK=str(lock)))
    assert f"{metrics} does not belong to {model}: {lock} records" in message
    assert "dvc checkout" in message and "dvc repro" in message


def test_metrics_at_another_threshold_than_the_served_one_are_not_verified(trained, tmp_path):
    """params.yaml's evaluate.threshold edited since `dvc repro`: /model showed the new threshold
    with the precision, recall and f1 evaluate computed at the old one, "metrics_verified": true."""
    served = yaml.safe_load((trained.root / "params.yaml").read_text())["evaluate"]["threshold"]
    for recorded, verified in ((served, True), (served + 0.25, False)):
        lock = write_lock(tmp_path / str(recorded), *served_pair(trained))
        entries = yaml.safe_load(lock.read_text())
        entries["stages"]["evaluate"]["params"] = {"params.yaml": {"evaluate": {
            "threshold": recorded, "top_fraction": 0.1}}}  # fmt: skip
        lock.write_text(yaml.safe_dump(entries))
        for url in start_server(serving_env(trained.root, CHURN_DVC_LOCK=str(lock)), REPO):
            about = httpx.get(f"{url}/model").json()
        assert about["threshold"] == served
        assert about["metrics_verified"] is verified, about["metrics_check"]
        if not verified:
            assert about["metrics_check"] == (
                f"{lock}: the evaluate stage ran with evaluate.threshold {recorded}, the server "
                f"decides at {served}: the metrics' precision, recall, f1 and confusion are for "
                f"{recorded} (run `dvc repro`)"
            )


@pytest.mark.parametrize(
    ("variable", "limit", "unit"),
    [("CHURN_MAX_BODY_BYTES", "abc", "bytes"), ("CHURN_MAX_RECORDS", "\u00b2", "records")],
)  # "²" passes str.isdigit
def test_a_bad_limit_names_the_variable(trained, variable, limit, unit):
    message = refusal(serving_env(trained.root, **{variable: limit}))
    assert message == (
        f"churn.serve: error: cannot start: {variable}={limit!r}: "
        f"expected a positive number of {unit}"
    )


@pytest.mark.parametrize("problem", ["lock of another shape", "metrics folder", "metrics latin-1"])
def test_unusable_lock_or_metrics_files_are_one_line_naming_them(trained, tmp_path, problem):
    env = serving_env(trained.root)
    if problem == "lock of another shape":
        (tmp_path / "dvc.lock").write_text("stages: {evaluate: hello}\n")
        env = serving_env(trained.root, CHURN_DVC_LOCK=str(tmp_path / "dvc.lock"))
        expected = f"{tmp_path / 'dvc.lock'}: not a valid dvc.lock"
    elif problem == "metrics folder":
        env = unlocked_env(trained.root, CHURN_METRICS=str(tmp_path))
        expected = f"{tmp_path}: a folder, not a file"
    else:
        (tmp_path / "m.json").write_bytes('{"note": "Gr\u00fc\u00dfe"}'.encode("latin-1"))
        env = unlocked_env(trained.root, CHURN_METRICS=str(tmp_path / "m.json"))
        expected = f"{tmp_path / 'm.json'}: not UTF-8 text"
    assert expected in refusal(env)


def test_the_server_runs_from_any_directory(trained, tmp_path):
    """Paths in params.yaml (data.contract) are relative to its folder, and dvc.lock is looked
    for next to it: CHURN_* paths are all a server started elsewhere needs."""
    repo = tmp_path / "repo"
    (repo / "contracts").mkdir(parents=True)
    (repo / "contracts/churn.yaml").write_text((REPO / "contracts/churn.yaml").read_text())
    params = yaml.safe_load((trained.root / "params.yaml").read_text())
    params["data"]["contract"] = "contracts/churn.yaml"
    (repo / "params.yaml").write_text(yaml.safe_dump(params))
    model, metrics = served_pair(trained)
    write_lock(repo, model, metrics)
    env = unlocked_env(trained.root, CHURN_PARAMS=str(repo / "params.yaml"))
    (tmp_path / "elsewhere").mkdir()
    for url in start_server(env, tmp_path / "elsewhere"):
        about = httpx.get(f"{url}/model").json()
        assert about["metrics_verified"], about["metrics_check"]


def test_an_id_is_read_as_batch_scoring_reads_it(api, trained):
    """12.0 is "12"; "" and "NA" are no id, like null (a lone record is scored with id null)."""
    sent = records(trained.test_rows.head(1))[0]
    for given, expected in ((12.0, "12"), ("", None), ("NA", None), (None, None)):
        response = post(api, {**sent, ID: given})
        assert response.status_code == 200, (given, response.text)
        assert response.json()["predictions"][0]["id"] == expected, given


def test_an_id_written_with_a_zero_fraction_is_the_integer_as_in_batch_scoring(api, trained):
    """The text "12.0" is customer 12, as the number 12.0 is: sent twice, it is a repeat; the
    answer echoes the id as sent."""
    sent = records(trained.test_rows.head(4))
    for record, given in zip(sent, ["12.0", 12, "0012", 12.0], strict=True):
        record[ID] = given
    answer = post(api, sent).json()
    assert [p["id"] for p in answer["predictions"]] == ["12.0", "0012"], answer
    assert answer["rejected"] == [
        {"index": 1, "reason": f"duplicate_id:{ID}"},
        {"index": 3, "reason": f"duplicate_id:{ID}"},
    ]


def response_schemas(path: dict) -> dict[str, dict]:
    return {code: r["content"]["application/json"]["schema"] for code, r in path.items()}


def test_openapi_documents_the_responses(api):
    document = httpx.get(f"{api}/openapi.json").json()
    predict = document["paths"]["/predict"]["post"]
    schemas = response_schemas(predict["responses"])
    assert schemas == {
        code: {"$ref": f"#/components/schemas/{name}"}
        for code, name in [("200", "Scores"), ("400", "Unreadable"), ("413", "TooLarge"),
                           ("415", "NotJson"), ("422", "RequestError")]
    }  # fmt: skip
    body = predict["requestBody"]["content"]["application/json"]["schema"]["oneOf"]
    assert [one.get("maxItems") for one in body] == [None, MAX_RECORDS]
    components = document["components"]["schemas"]
    assert set(components["RequestError"]["properties"]) == {"detail", "error_count"}
    for path, name in (("/health", "Health"), ("/model", "ModelInfo")):
        assert response_schemas(document["paths"][path]["get"]["responses"]) == {
            "200": {"$ref": f"#/components/schemas/{name}"}
        }
        answer = httpx.get(f"{api}{path}").json()
        assert set(components[name]["properties"]) == set(answer), path
    assert set(components["Scores"]["properties"]) == {
        "predictions", "model_version", "rejected", "ignored_fields", "ignored_field_count",
        "unknown_categories",
    }  # fmt: skip
    assert list(components["Prediction"]["properties"]) == [
        "id", "churn_probability", "churn_decision", "index", "snapshot_month"
    ]  # fmt: skip
    assert set(components["Rejection"]["properties"]) == {"index", "reason"}


def test_schemathesis_finds_no_server_error_and_no_valid_body_refused(api, tmp_path):
    result = subprocess.run(
        [str(VENV_BIN / "st"), "run", f"{api}/openapi.json",
         "--checks", "not_a_server_error,positive_data_acceptance", "--max-examples", "40",
         "--seed", "1", "--generation-deterministic", "--workers", "1"],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:]


def test_contract_limits_are_422_and_contract_row_failures_are_listed(api, trained):
    record = records(trained.test_rows.head(1))[0]
    below = post(api, record | {"tenure_months": -5})
    assert below.status_code == 422
    assert "tenure_months" in below.text
    # among records with ids, one without ("" reads as no id) is rejected; alone it is scored
    mixed = post(api, [record, record | {"customer_id": ""}]).json()
    assert len(mixed["predictions"]) == 1
    assert mixed["rejected"] == [{"index": 1, "reason": "null:customer_id"}]
    twice = post(api, [record, record]).json()
    assert len(twice["predictions"]) == 1
    assert twice["rejected"] == [{"index": 1, "reason": "duplicate_id:customer_id"}]
    # a backfill: the same customer in two snapshots is scored twice, as in batch scoring
    months = [record | {"snapshot_month": m} for m in ("2026-05-01", "2026-06-01", "2026-06-01")]
    backfill = post(api, months).json()
    assert len(backfill["predictions"]) == 2
    assert backfill["rejected"] == [{"index": 2, "reason": "duplicate_id:customer_id"}]
    assert "snapshot_month" not in backfill["ignored_fields"]  # a field of its own, text
    escaped = json.dumps([record | {"snapshot_month": "X"}]).replace('"X"', '"\\ud800"')
    odd = post_bytes(api, escaped.encode())  # JSON may escape a surrogate; UTF-8 cannot hold it
    assert odd.status_code == 422 and odd.json()["detail"][0]["loc"] == [
        "body",
        0,
        "snapshot_month",
    ]


def readme_curl_body() -> dict:
    """The JSON body of the README's curl example (as docker/smoke.sh reads it)."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    found = re.search(r"curl -s -X POST \S+/predict .*? -d '(.*)'\n```\n```json\n", text)
    assert found, "README.md has no curl example for /predict"
    return json.loads(found.group(1))


def test_the_readme_body_is_valid_against_the_openapi_document(api):
    """The document said flags are {"type": "boolean"}: the README's own body, with 0 and 1 as
    flags, failed validation against it, though the API scores it."""
    document = httpx.get(f"{api}/openapi.json").json()
    body = document["paths"]["/predict"]["post"]["requestBody"]["content"]["application/json"]
    check = jsonschema.Draft202012Validator(body["schema"] | {"components": document["components"]})
    sent = readme_curl_body()
    assert (sent["newsletter_subscribed"], sent["app_installed"]) == (0, 1)
    for flags in ({}, {"newsletter_subscribed": False, "app_installed": True},
                  {"newsletter_subscribed": "no", "app_installed": " Yes "}):  # fmt: skip
        assert not list(check.iter_errors(sent | flags)), flags
        assert post(api, [sent | flags]).status_code == 200, flags
    for refused in (2, "maybe", None):
        assert not check.is_valid(sent | {"app_installed": refused}), refused
        assert post(api, sent | {"app_installed": refused}).status_code == 422, refused


def test_missing_value_text_is_what_the_document_allows_where_the_api_reads_it(api):
    """The document typed a required categorical field as any string, yet the API refuses ""
    and "NA" there as missing values: schemathesis sent a schema-valid body that got a 422."""
    document = httpx.get(f"{api}/openapi.json").json()
    body = document["paths"]["/predict"]["post"]["requestBody"]["content"]["application/json"]
    check = jsonschema.Draft202012Validator(body["schema"] | {"components": document["components"]})
    sent = readme_curl_body()
    for marker in ("", "NA", " null ", "N/A"):
        assert not check.is_valid(sent | {"country": marker}), marker
        assert post(api, sent | {"country": marker}).status_code == 422, marker
        assert check.is_valid(sent | {"age_band": marker}), marker  # nullable: read as null
        assert post(api, sent | {"age_band": marker}).status_code == 200, marker
    for value in ("DE", "US", "NAB", "n/a/b"):  # known, unseen and near-marker text is scored
        assert check.is_valid(sent | {"country": value}), value
        assert post(api, sent | {"country": value}).status_code == 200, value


def test_predictions_carry_their_index_and_snapshot(api, trained):
    """A backfill's two predictions for C1 were told apart by nothing, and a client had to work
    out their positions from the rejected ones."""
    record = records(trained.test_rows.head(1))[0] | {ID: "C1"}
    months = [None, "2026-05", "2026-06", "2026-06", "NA"]
    sent = [record | {ID: ""}] + [record | {"snapshot_month": m} for m in months[1:]]
    answer = post(api, sent).json()
    assert [(p["id"], p["index"], p["snapshot_month"]) for p in answer["predictions"]] == [
        ("C1", 1, "2026-05"), ("C1", 2, "2026-06"), ("C1", 4, None)
    ]  # fmt: skip
    assert answer["rejected"] == [
        {"index": 0, "reason": "null:customer_id"},
        {"index": 3, "reason": "duplicate_id:customer_id"},
    ]
    assert list(answer["predictions"][0]) == [
        "id", "churn_probability", "churn_decision", "index", "snapshot_month"
    ]  # fmt: skip
    alone = post(api, {**record, "snapshot_month": 202605}).json()["predictions"]
    assert [(p["index"], p["snapshot_month"]) for p in alone] == [(0, "202605")]


def test_a_contract_column_the_model_does_not_read_is_not_needed_in_a_request(trained, tmp_path):
    """Its field is not in the request model (a column featurize left out), so no client could
    send it: a record without it used to fail the contract's missing-column check."""
    params = params_with_an_unread_contract_column(trained.root / "params.yaml", tmp_path)
    env = unlocked_env(trained.root, CHURN_PARAMS=str(params))
    for url in start_server(env, REPO):
        answer = post(url, records(trained.test_rows.head(2)))
        assert answer.status_code == 200, answer.text
        assert len(answer.json()["predictions"]) == 2
