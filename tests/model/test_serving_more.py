"""The scoring API through a real uvicorn process started with the default limits: body size,
content type, repeated keys, ignored fields, HEAD, start-up checks and stale files."""

from __future__ import annotations

import gzip
import json
import shutil
from collections.abc import Iterator

import httpx
import pytest
import yaml

from tests.helpers import REPO
from tests.model.conftest import CONTRACT
from tests.model.server import serving_env, start_server, write_lock
from tests.model.test_predict import artifact_args, run_predict_quietly
from tests.model.test_serving import ID, post, post_bytes, records, refusal, served_pair


@pytest.fixture(scope="module")
def default_api(trained, tmp_path_factory) -> Iterator[str]:
    """A server with the default CHURN_MAX_BODY_BYTES and CHURN_MAX_RECORDS."""
    lock = write_lock(tmp_path_factory.mktemp("lock"), *served_pair(trained))
    env = serving_env(trained.root, CHURN_DVC_LOCK=str(lock))
    del env["CHURN_MAX_BODY_BYTES"]
    yield from start_server(env, REPO)


def many_records(trained, count: int) -> list[dict]:
    """count realistic records: the test rows over and over, each with an id of its own."""
    rows = records(trained.test_rows)
    return [rows[at % len(rows)] | {ID: f"C{at:07d}"} for at in range(count)]


def test_the_default_record_count_fits_the_default_body_limit_even_pretty_printed(
    default_api, trained
):
    """10,000 records (CHURN_MAX_RECORDS) once got a 413: 4.7 MB of compact JSON above 4 MB."""
    body = json.dumps(many_records(trained, 10_000), indent=4).encode()
    assert len(body) > 7_000_000  # indented: ~750 bytes a record
    response = post_bytes(default_api, body)
    assert response.status_code == 200, response.text[:300]
    assert len(response.json()["predictions"]) == 10_000


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_a_body_not_sent_as_json_is_a_415_naming_the_type(default_api, trained, content_type):
    """It was a 422 "Input should be a valid dictionary", a valid JSON body notwithstanding."""
    headers = {"content-type": content_type} if content_type else {}
    body = json.dumps(records(trained.test_rows.head(1))[0]).encode()
    response = httpx.post(f"{default_api}/predict", content=body, headers=headers, timeout=60)
    assert response.status_code == 415
    sent = f"Content-Type {content_type!r}" if content_type else "no Content-Type"
    assert response.json() == {
        "detail": f"{sent}: send the body as JSON with Content-Type: application/json"
    }


def test_a_compressed_body_is_a_415_naming_the_encoding(default_api, trained):
    """A gzip body (Content-Encoding: gzip, as clients compress large requests) got a 400
    "There was an error parsing the body", which did not say why."""
    body = json.dumps(records(trained.test_rows.head(1))[0]).encode()
    for coding in ("gzip", "br", "identity, gzip"):
        headers = {"content-type": "application/json", "content-encoding": coding}
        sent = gzip.compress(body) if coding == "gzip" else body
        response = httpx.post(f"{default_api}/predict", content=sent, headers=headers)
        assert response.status_code == 415, (coding, response.text)
        assert response.json() == {
            "detail": f"Content-Encoding {coding!r}: send the body uncompressed"
        }
    plain = {"content-type": "application/json", "content-encoding": "identity"}
    assert httpx.post(f"{default_api}/predict", content=body, headers=plain).status_code == 200


def test_json_subtypes_are_read_as_json(default_api, trained):
    body = json.dumps(records(trained.test_rows.head(1))[0]).encode()
    for content_type in (
        "application/merge-patch+json",
        "application/json; charset=utf-8",
        "application/json; charset=ISO-8859-1",  # read as UTF-8 all the same, as JSON is
    ):
        headers = {"content-type": content_type}
        response = httpx.post(f"{default_api}/predict", content=body, headers=headers)
        assert response.status_code == 200, (content_type, response.text)


@pytest.mark.parametrize("path", ["/health", "/model"])
def test_health_and_model_answer_head(default_api, path):
    """Uptime checkers send HEAD: it was a 405."""
    response = httpx.head(f"{default_api}{path}")
    assert response.status_code == 200
    assert response.content == b""


def with_repeat(record: dict, key: str, value: object) -> str:
    """The record as JSON text, with key sent a second time (value) at its end."""
    return f"{json.dumps(record)[:-1]}, {json.dumps(key)}: {json.dumps(value)}}}"


@pytest.mark.parametrize("second", [-5, 30])
def test_a_key_repeated_in_one_record_is_a_422_naming_key_and_record(default_api, trained, second):
    """json keeps the last value silently: 26 then 30 was scored as 30, 26 then -5 judged -5."""
    record = records(trained.test_rows.head(1))[0] | {"tenure_months": 26}
    one = post_bytes(default_api, with_repeat(record, "tenure_months", second).encode())
    listed = f"[{json.dumps(record)}, {with_repeat(record, 'tenure_months', second)}]"
    many = post_bytes(default_api, listed.encode())
    for response, loc in ((one, ["body", "tenure_months"]), (many, ["body", 1, "tenure_months"])):
        assert response.status_code == 422, response.text
        message = "Key 'tenure_months' is repeated in one object: send each key once"
        assert response.json() == {
            "detail": [{"loc": loc, "type": "duplicate_key", "msg": message}],
            "error_count": 1,
        }


def test_ignored_fields_are_capped_like_errors(default_api, trained):
    """One 100,000-character key and 50,000 extra keys came back in full."""
    record = records(trained.test_rows.head(1))[0]
    baseline = post(default_api, record).json()["ignored_field_count"]
    extras = {"a" * 100_000: 1} | {f"extra_{at:05d}": 0 for at in range(50_000)}
    response = post(default_api, record | extras)
    assert response.status_code == 200, response.text[:300]
    answer = response.json()
    assert answer["ignored_field_count"] == baseline + 50_001
    assert len(answer["ignored_fields"]) == 50
    assert answer["ignored_fields"][0] == "a" * 100 + "\u2026"
    assert len(response.content) < 5000


def test_a_dvc_lock_path_naming_a_folder_or_nothing_is_refused_at_start(trained, tmp_path):
    """A folder started the server, and /model said "no dvc.lock at /tmp"; an absent file set
    on purpose did the same (only the default dvc.lock may be absent)."""
    folder = refusal(serving_env(trained.root, CHURN_DVC_LOCK=str(tmp_path)))
    assert folder == f"churn.serve: error: cannot start: {tmp_path}: a folder, not a file"
    absent = refusal(serving_env(trained.root, CHURN_DVC_LOCK=str(tmp_path / "dvc.lock")))
    assert absent.endswith(f"{tmp_path / 'dvc.lock'}: not found (CHURN_DVC_LOCK)")


def test_health_reports_files_changed_on_disk_since_start(trained, tmp_path):
    """After `dvc checkout` or `dvc repro` the server still serves what it loaded: /health says
    so, naming the files, and still answers 200."""
    for name in ("model.json", "features.json", "params.yaml"):
        shutil.copy(trained.root / name, tmp_path / name)
    model = tmp_path / "model.json"
    lock = write_lock(tmp_path / "lock", model, served_pair(trained)[1])
    env = serving_env(trained.root, CHURN_MODEL=str(model), CHURN_DVC_LOCK=str(lock),
                      CHURN_FEATURES=str(tmp_path / "features.json"),
                      CHURN_PARAMS=str(tmp_path / "params.yaml"))  # fmt: skip
    for url in start_server(env, REPO):
        before = httpx.get(f"{url}/health").json()
        assert (before["status"], before["changed_files"], before["note"]) == ("ok", [], None)
        params = tmp_path / "params.yaml"
        params.write_bytes(params.read_bytes())  # touched, as a checkout rewrites an equal file
        assert httpx.get(f"{url}/health").json()["status"] == "ok"  # it said "stale"
        model.write_bytes(model.read_bytes() + b"\n")  # another model, as dvc checkout leaves it
        after = httpx.get(f"{url}/health")
        assert after.status_code == 200
        assert after.json()["status"] == "stale"
        assert after.json()["changed_files"] == [str(model)]
        assert after.json()["model_version"] == before["model_version"]
        assert "a restart loads them" in after.json()["note"]
        assert httpx.head(f"{url}/health").status_code == 200


def test_one_snapshot_written_two_ways_is_one_snapshot(default_api, trained):
    """2026-06-01 and 2026-06-01T00:00:00 were two snapshots: the customer was scored twice."""
    record = records(trained.test_rows.head(1))[0]
    months = ["2026-06-01", "2026-06-01T00:00:00", "2026-07-01"]
    answer = post(default_api, [record | {"snapshot_month": m} for m in months]).json()
    assert len(answer["predictions"]) == 2
    assert answer["rejected"] == [{"index": 1, "reason": "duplicate_id:customer_id"}]
    days = ["2026-06-04", "2026-06-19", "2026-07-02"]  # a snapshot is a calendar month
    answer = post(default_api, [record | {"snapshot_month": d} for d in days]).json()
    assert answer["rejected"] == [{"index": 1, "reason": "duplicate_id:customer_id"}]


def test_an_iso_snapshot_beside_a_day_first_one_is_scored(default_api, trained):
    """2026-06-01 beside 17/03/2026 in one request was a 500 (the day/month order's examples
    were picked with a mask holding missing values)."""
    record = records(trained.test_rows.head(1))[0]
    months = ["2026-06-01", "17/03/2026", "03/06/2026"]  # the last: June, read day first
    answer = post(default_api, [record | {"snapshot_month": m} for m in months])
    assert answer.status_code == 200
    assert [p["snapshot_month"] for p in answer.json()["predictions"]] == months[:2]
    assert answer.json()["rejected"] == [{"index": 2, "reason": "duplicate_id:customer_id"}]


def test_health_watches_the_contract_file_params_name(trained, tmp_path):
    """The contract decides what the API accepts; an edited contract on disk went unnoticed."""
    contract = tmp_path / "churn.yaml"
    shutil.copy(CONTRACT, contract)
    params = yaml.safe_load((trained.root / "params.yaml").read_text())
    params["data"]["contract"] = "churn.yaml"  # relative to params.yaml's folder
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(params))
    lock = write_lock(tmp_path / "lock", trained.root / "model.json", served_pair(trained)[1])
    env = serving_env(trained.root, CHURN_PARAMS=str(tmp_path / "params.yaml"),
                      CHURN_DVC_LOCK=str(lock))  # fmt: skip
    for url in start_server(env, REPO):
        assert httpx.get(f"{url}/health").json()["status"] == "ok"
        contract.write_text(contract.read_text() + "# edited\n")
        after = httpx.get(f"{url}/health").json()
        assert (after["status"], after["changed_files"]) == ("stale", [str(contract)])


def test_missing_value_markers_are_no_snapshot_as_in_batch_scoring(default_api, trained):
    """Batch scoring read "NA" as a snapshot of its own; the API reads every marker as none."""
    record = records(trained.test_rows.head(1))[0]
    months = ["", "NA", "2026-06-01", "null", "-", "N/A", "?"]
    answer = post(default_api, [record | {"snapshot_month": m} for m in months]).json()
    assert len(answer["predictions"]) == 2
    assert [r["index"] for r in answer["rejected"]] == [1, 3, 4, 5, 6]


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("model.json", "null", "not an XGBoost model (a JSON null)"),
        ("features.json", "[]", "not a feature spec written by churn.featurize (expected a JSON "
                                "object, got a JSON array)"),
    ],
)  # fmt: skip
def test_artifacts_of_the_wrong_json_shape_are_refused_in_one_line(
    trained, tmp_path, name, content, problem
):
    """uvicorn said `Attribute "app" not found in module "churn.serve"`, naming no file."""
    (tmp_path / name).write_text(content)
    variable = "CHURN_MODEL" if name == "model.json" else "CHURN_FEATURES"
    env = serving_env(trained.root, **{variable: str(tmp_path / name)})
    del env["CHURN_DVC_LOCK"]
    assert refusal(env) == f"churn.serve: error: cannot start: {tmp_path / name}: {problem}"


def test_the_api_and_batch_scoring_ignore_the_same_fields(default_api, trained, tmp_path):
    """For the same record, ignored_fields (API) and ignored_columns (batch scoring) name the
    same fields: the label and those no one reads, not the id nor the snapshot, which both read
    (batch scoring listed the snapshot, which keys its ids and is written with its scores)."""
    row = trained.test_rows.head(1).astype({"snapshot_month": str}).assign(coupon_code="X1")
    row.to_csv(tmp_path / "in.csv", index=False)
    files = ["--input", str(tmp_path / "in.csv"), "--output", str(tmp_path / "out.csv")]
    batch = run_predict_quietly([*files, *artifact_args(trained.root)])["ignored_columns"]
    api = post(default_api, json.loads(row.to_json(orient="records"))).json()["ignored_fields"]
    assert batch == ["churned", "coupon_code"] == api  # the API sorts, batch keeps file order
