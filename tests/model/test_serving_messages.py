"""What the scoring API answers to requests it cannot take, through a real uvicorn process:
a wrong path or method, query parameters, an empty body or one of the wrong shape, numbers
Python will not read; each answer says what was wrong and what the API takes."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from tests.helpers import REPO
from tests.model.server import serving_env, start_server, write_lock
from tests.model.test_serving import post_bytes, records, served_pair


@pytest.fixture(scope="module")
def default_api(trained, tmp_path_factory) -> Iterator[str]:
    lock = write_lock(tmp_path_factory.mktemp("lock"), *served_pair(trained))
    yield from start_server(serving_env(trained.root, CHURN_DVC_LOCK=str(lock)), REPO)


def test_an_integer_of_thousands_of_digits_is_a_422_naming_its_field_or_ignored(
    default_api, trained
):
    """Python reads at most 4300 digits of an int from text: past that, json's ValueError made
    the body a 400 "There was an error parsing the body", naming no field, even when the number
    sat in a field the model ignores."""
    record = records(trained.test_rows.head(1))[0] | {"tenure_months": 7, "note": 8}
    digits = "9" * 5000
    sent = json.dumps(record).replace(": 7,", f": {digits},").replace(": 8}", f": -{digits}}}")
    assert sent.count(digits) == 2
    response = post_bytes(default_api, sent.encode())
    assert response.status_code == 422, response.text[:300]
    assert response.json()["detail"] == [
        {"loc": ["body", "tenure_months"], "msg": "Input should be a finite number",
         "type": "finite_number"}
    ]  # fmt: skip
    ignored = post_bytes(default_api, json.dumps(record).replace(": 8}", f": -{digits}}}").encode())
    assert ignored.status_code == 200, ignored.text[:300]  # a field the model does not use
    assert "note" in ignored.json()["ignored_fields"]


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("DELETE", "/health", "GET, HEAD"),
        ("POST", "/model", "GET, HEAD"),
        ("GET", "/predict", "POST"),
        ("PUT", "/predict", "POST"),
        ("POST", "/docs", "GET, HEAD"),
        ("PUT", "/openapi.json", "GET, HEAD"),
        ("POST", "/static-offline-docs/swagger-ui.css", "GET, HEAD"),
    ],
)
def test_a_wrong_method_is_a_405_naming_every_method_the_path_answers(
    default_api, method, path, allowed
):
    """Allow named the methods of the path's first route alone (GET for /health, which answers
    HEAD too; none for the docs' files) and the text, "Method Not Allowed", named none."""
    response = httpx.request(method, f"{default_api}{path}")
    assert response.status_code == 405
    assert response.headers["allow"] == allowed
    assert response.json() == {"detail": f"{method} is not allowed on {path}: it answers {allowed}"}


def test_query_parameters_on_predict_are_a_422_naming_them(default_api, trained):
    """They were ignored silently: `?threshold=0.9` scored at the served threshold, saying
    nothing. `records` is named too (the API's own name for the list form of the body)."""
    body = records(trained.test_rows.head(1))[0]
    response = httpx.post(f"{default_api}/predict?threshold=0.9&records=1&threshold=2", json=body)
    assert response.status_code == 422
    message = "/predict takes no query parameters: send the records in the body"
    assert response.json() == {
        "detail": [
            {"loc": ["query", name], "msg": message, "type": "extra_forbidden"}
            for name in ("threshold", "records")
        ],
        "error_count": 2,
    }
    assert httpx.post(f"{default_api}/predict?", json=body).status_code == 200  # an empty query


@pytest.mark.parametrize("path", ["/", "/predicts", "/Health", "/static-offline-docs/none.css"])
def test_an_unknown_path_is_a_404_naming_the_paths_the_api_answers(default_api, path):
    """It said "Not Found" alone: `/predicts` or `/Health` left the client to guess."""
    response = httpx.get(f"{default_api}{path}")
    assert response.status_code == 404
    assert response.json() == {
        "detail": f"No such path: {path}; the API answers /health (GET, HEAD), /model (GET, HEAD), "
        "/predict (POST), and its documentation: /docs, /redoc, /openapi.json"
    }


def test_an_empty_body_is_a_422_saying_so(default_api):
    """It was FastAPI's "Field required" at ["body"], which did not say the body was empty."""
    headers = {"content-type": "application/json"}
    response = httpx.post(f"{default_api}/predict", content=b"", headers=headers)
    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "loc": ["body"],
                "msg": "The body is empty: send one record as a JSON object, or records as a "
                "JSON array",
                "type": "missing",
            }
        ],
        "error_count": 1,
    }


def test_a_body_or_record_that_is_not_an_object_is_a_422_saying_what_it_should_be(
    default_api, trained
):
    """Pydantic's "Input should be a valid dictionary or object to extract fields from" did not
    say that a record is a JSON object, nor that the body is one or an array of them."""
    body = "The body should be a JSON object (one record) or a JSON array of records"
    for sent in (b"5", b'"x"', b"null", b"true"):
        detail = post_bytes(default_api, sent).json()["detail"]
        assert [(e["loc"], e["msg"]) for e in detail] == [(["body"], body)], sent
    record = records(trained.test_rows.head(1))[0]
    detail = post_bytes(default_api, json.dumps([record, 5, [], None]).encode()).json()["detail"]
    assert [(e["loc"], e["msg"]) for e in detail] == [
        (["body", at], "A record should be a JSON object") for at in (1, 2, 3)
    ]


@pytest.mark.parametrize("key", ["records", "dataframe_records", "instances"])
def test_records_wrapped_in_an_object_are_one_422_saying_to_send_them_as_the_body(
    default_api, trained, key
):
    """{"records": [...]}, as other scoring APIs take records (MLflow's "dataframe_records"),
    got a "Field required" for each of the model's fields, the list itself unmentioned."""
    rows = records(trained.test_rows.head(2))
    for wrapped in ({key: rows}, {key: rows, "params": {}}, {key: []}):
        response = post_bytes(default_api, json.dumps(wrapped).encode())
        assert response.status_code == 422
        assert response.json()["detail"] == [
            {
                "loc": ["body", key],
                "msg": f"The body is an object holding records under {key!r}: send the records "
                "themselves as the body, a JSON array, or one record as a JSON object",
                "type": "records_wrapped",
            }
        ]
    with_a_field = post_bytes(default_api, json.dumps({key: rows, "tenure_months": 5}).encode())
    assert {e["type"] for e in with_a_field.json()["detail"]} == {"missing"}  # a record, then
