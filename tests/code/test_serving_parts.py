"""Pieces of the scoring API without a server: request model from a contract, body-size limit,
the model/metrics pairing through dvc.lock, and the errors of `--rev`."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import jsonschema
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError
from uvicorn.importer import import_from_string

from churn import serve
from churn.artifacts import load_revision
from churn.batch_input import regroup
from churn.body_limit import BodySizeLimit
from churn.coercion import coerce_boolean
from churn.contract_spec import ColumnContract, Contract
from churn.customer_keys import snapshot_keys, text_of_rows
from churn.errors import ChurnError
from churn.features import FeatureSpec
from churn.field_errors import field_error
from churn.flags import FLAG_TEXT, MISSING_TEXT
from churn.json_body import parsed_or_refused
from churn.request_model import build_request_model, request_body, value_type
from churn.responses import Health
from churn.revisions import check_metrics_pair
from churn.scoring import scores_of
from churn.serve import create_app
from churn.serve_settings import LoadedFiles, Settings, contract_file, health_of
from churn.spec_contract import contract_from_spec
from tests.helpers import commit_all, run

SPEC = FeatureSpec(
    numeric=["orders_30d"],
    categorical={"device": ["desktop", "mobile", "__missing__", "__unknown__"]},
    engineered=[],
)


def test_request_model_from_spec_lists_known_values_and_accepts_others():
    customer = build_request_model(contract_from_spec(SPEC, "customer_id"), SPEC, "customer_id")
    schema = customer.model_json_schema()
    assert schema["properties"]["device"]["x-known-values"] == ["desktop", "mobile"]
    assert set(schema["required"]) == {"orders_30d", "device"}
    record = customer(orders_30d=2, device="fridge", colour="teal")
    assert record.device == "fridge" and record.model_extra == {"colour": "teal"}
    with pytest.raises(ValidationError, match="orders_30d"):
        customer(orders_30d="many", device="mobile")
    with pytest.raises(ValidationError, match="orders_30d"):
        customer(orders_30d=float("inf"), device="mobile")


def test_known_values_are_the_models_whatever_the_contract_file_lists():
    """They were the contract's: "tv", which the model never learnt, was listed as known (and
    scored as unknown), "desktop", which it learnt, was not."""
    contract = Contract(
        [
            ColumnContract("orders_30d", "feature", "numeric"),
            ColumnContract("device", "feature", "categorical", categories=["mobile", "tv"]),
        ]
    )
    schema = build_request_model(contract, SPEC, "").model_json_schema()
    device = schema["properties"]["device"]
    assert device["x-known-values"] == ["desktop", "mobile"]
    assert "Known values: desktop, mobile. Any other text" in device["description"]
    assert "(as are tv: in the contract, unseen or too rare in training)" in device["description"]
    assert "customer_id" not in schema["properties"]


@pytest.mark.parametrize("marker", ["NA", " ", "null", None, float("nan")])
def test_a_missing_value_is_refused_alike_in_every_non_nullable_type(marker):
    contract = Contract(
        [
            ColumnContract("orders_30d", "feature", "numeric", nullable=False),
            ColumnContract("device", "feature", "categorical", nullable=False),
            ColumnContract("app", "feature", "boolean", nullable=False),
        ]
    )
    spec = FeatureSpec(numeric=["orders_30d", "app"], categorical=SPEC.categorical, engineered=[])
    customer = build_request_model(contract, spec, "")
    good = {"orders_30d": 2, "device": "mobile", "app": True}
    for field in good:
        with pytest.raises(ValidationError) as refused:
            customer(**good | {field: marker})
        assert [(e["loc"], e["type"]) for e in refused.value.errors()] == [
            ((field,), "missing_value")
        ]


def test_a_nullable_category_reads_missing_value_text_as_null():
    customer = build_request_model(contract_from_spec(SPEC, ""), SPEC, "")
    assert customer(orders_30d=1, device="NA").device is None


def test_numeric_fields_take_json_numbers_only():
    """Python would read "1_000" as 1000 and true as 1, where batch scoring reads a missing
    value and refuses a boolean: text and booleans are refused, naming the field."""
    customer = build_request_model(contract_from_spec(SPEC, ""), SPEC, "")
    assert customer(orders_30d=2, device="mobile").orders_30d == 2.0
    for sent in ("1_000", "26", True):
        with pytest.raises(ValidationError) as refused:
            customer(orders_30d=sent, device="mobile")
        assert [(e["loc"], e["type"]) for e in refused.value.errors()] == [
            (("orders_30d",), "number_type")
        ]


FLAG_SPELLINGS = [True, False, 1, 0, 1.0, 0.0, "1", "0", "1.0", "0.00", " 1 ", "TRUE", "off",
                  "Yes", "n", 2, -1, 0.5, "2", "0_1", "maybe",
                  # what only rounds to 0 or 1 (the API read it, its document did not show it)
                  "10e-1", "100e-2", ".1e1", "0.99999999999999999999", "1e-400",
                  # white space that str.strip() strips and JSON Schema's \s does not, and back
                  "\x1c1", "1\x85", "\u3000yes\u2028", "\ufeff1", "\u200b0"]  # fmt: skip


def test_flags_are_read_as_batch_scoring_reads_them():
    """Each spelling gives the API the value coerce_boolean gives batch scoring, or is refused
    where batch scoring reads it as a wrong-typed (missing) value."""
    contract = Contract([ColumnContract("app", "feature", "boolean")])
    spec = FeatureSpec(numeric=["app"], categorical={}, engineered=[])
    customer = build_request_model(contract, spec, "")
    batch = coerce_boolean(pd.Series(FLAG_SPELLINGS, dtype=object)).values
    for sent, expected in zip(FLAG_SPELLINGS, batch, strict=True):
        try:
            read = float(customer(app=sent).app)
        except ValidationError:
            read = float("nan")
        assert read == expected or (pd.isna(read) and pd.isna(expected)), sent


@functools.cache
def flag_model(nullable: bool) -> type:
    contract = Contract([ColumnContract("app", "feature", "boolean", nullable=nullable)])
    spec = FeatureSpec(numeric=["app"], categorical={}, engineered=[])
    return build_request_model(contract, spec, "")


def accepted(customer: type, value: object) -> bool:
    try:
        customer(app=value)
    except ValidationError:
        return False
    return True


OTHER_SPELLINGS = ["NA", "", " null ", "N/A", "#N/A", "-", None, "1e0", "1.000000e+00", "0E-5",
                   "+1", "-0", ".", ".0", "1.", "1 0", "yes ", "oN\n", "1.5", 1.5, "０", "tru",
                   "nope", "na", "Null", [], {}]  # fmt: skip


@pytest.mark.parametrize("nullable", [False, True])
def test_the_document_shows_each_flag_spelling_the_api_reads_and_no_other(nullable):
    """The document said {"type": "boolean"}: 0, 1 and "yes", which the API reads, failed
    validation against it (the README's own body sends 0 and 1)."""
    customer = flag_model(nullable)
    schema = customer.model_json_schema()["properties"]["app"]
    check = jsonschema.Draft202012Validator(schema)
    for value in [*FLAG_SPELLINGS, *OTHER_SPELLINGS]:
        assert check.is_valid(value) == accepted(customer, value), (value, nullable)


@settings(max_examples=200, derandomize=True, deadline=None, database=None)
@given(text=st.from_regex(FLAG_TEXT) | st.from_regex(MISSING_TEXT))
def test_all_text_the_document_allows_a_flag_is_read(text):
    """Whatever the document's patterns allow (numeric text of 0 or 1, the words, missing-value
    text), the API reads as a flag, or as null where that is allowed."""
    nullable, required = flag_model(True), flag_model(False)
    assert accepted(nullable, text)
    missing = re.search(MISSING_TEXT, text) is not None
    assert accepted(required, text) != missing, text


# Characters flag text is made of, white space of both regex dialects, and others
FLAG_CHARACTERS = list(
    "01289+-._eExX tTrRuUfFaAlLsSyYnNoO/#?\t\n\r\x0b\x1c\x85\xa0\u2028\u3000\ufeff"
)


# Text near 0 and 1 written as numbers ("10e-1", ".1e1", "-0.0E+3"), where pandas' reading
# and a pattern can part
NUMBER_LIKE = r"[ ]?[+-]?[01]{0,3}[.]?[01]{0,3}(?:[eE][+-]?[0-9]{1,3})?[ ]?"


@settings(max_examples=2000, derandomize=True, deadline=None, database=None)
@given(
    text=st.from_regex(NUMBER_LIKE, fullmatch=True)
    | st.text(st.sampled_from(FLAG_CHARACTERS), max_size=7)
)
@example(text="Na")  # batch scoring lowercased flag text before looking for missing markers:
@example(text="nULL")  # "Na" was a missing flag there, a 422 in the API and its document
def test_text_the_api_reads_as_a_flag_is_the_text_its_document_allows(text):
    """The API read "10e-1" (pandas rounds it to 1) and "1" after U+001C (which str.strip()
    strips), which the documented pattern did not allow: both now come from one rule
    (raw_text.FLAG_TEXT), so a text is accepted exactly when the document allows it, and batch
    scoring reads it alike (a flag, or missing where the API reads null)."""
    for nullable in (False, True):
        customer, document = flag_model_and_document(nullable)
        assert accepted(customer, text) == document.is_valid(text), (text, nullable)
    read = coerce_boolean(pd.Series([text], dtype=object))
    assert (read.values.notna() | read.blank)[0] == accepted(flag_model(True), text), text


@functools.cache
def flag_model_and_document(nullable: bool) -> tuple[type, jsonschema.Draft202012Validator]:
    """flag_model and a validator of its document's field, built once for 2000 examples."""
    customer = flag_model(nullable)
    schema = customer.model_json_schema()["properties"]["app"]
    return customer, jsonschema.Draft202012Validator(schema)


def test_the_documented_flag_patterns_mean_the_same_in_every_regex_dialect():
    """The white space class escape of Python (which the API's pattern used) and of JSON Schema
    (ECMA 262) match different characters: the patterns hold no escape, only characters,
    classes and groups, and JavaScript reads them as Python does."""
    schema = flag_model(True).model_json_schema()["properties"]["app"]
    patterns = [kind["pattern"] for kind in schema["anyOf"] if "pattern" in kind]
    assert len(patterns) == 2 and not any("\\" in pattern for pattern in patterns)
    node = shutil.which("node")
    if node is None:
        pytest.skip("no node to run the patterns as JavaScript (ECMA 262) reads them")
    script = (
        "const [patterns, texts] = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "const found = patterns.map(p => new RegExp(p, 'u'));"
        "console.log(JSON.stringify(texts.map(t => found.some(r => r.test(t)))));"
    )
    texts = [value for value in FLAG_SPELLINGS if isinstance(value, str)]
    sent = json.dumps([patterns, texts])
    answer = subprocess.run([node, "-e", script], input=sent, capture_output=True, text=True)
    customer = flag_model(True)
    assert json.loads(answer.stdout) == [accepted(customer, text) for text in texts]


def test_text_with_a_lone_surrogate_is_refused_where_it_would_break_scoring():
    """JSON can escape a lone surrogate ("\\ud800"); pyarrow and the response cannot encode it."""
    customer = build_request_model(contract_from_spec(SPEC, "id"), SPEC, "id")
    for field in ("id", "device"):
        with pytest.raises(ValidationError) as refused:
            customer(**{"orders_30d": 1, "device": "mobile", field: "C\ud800"})
        assert [(e["loc"], e["type"]) for e in refused.value.errors()] == [
            ((field,), "string_unicode")
        ]


def test_a_list_above_the_record_limit_is_refused_before_its_records_are_validated():
    customer = build_request_model(contract_from_spec(SPEC, ""), SPEC, "")
    body = TypeAdapter(request_body(customer, max_records=3))
    assert len(body.validate_python([{"orders_30d": 1, "device": "tv"}] * 3)) == 3
    with pytest.raises(ValidationError) as refused:
        body.validate_python([{}] * 100_000)  # each record would add two "Field required"
    assert [(e["loc"], e["type"]) for e in refused.value.errors()] == [
        (("records",), "too_many_records")
    ]
    assert "at most 3 records (CHURN_MAX_RECORDS), this one 100000" in str(refused.value)


@pytest.mark.parametrize("value", ["abc", "0", "-5", "1e6", "99999999999999999999999"])
@pytest.mark.parametrize(
    ("variable", "unit"), [("CHURN_MAX_BODY_BYTES", "bytes"), ("CHURN_MAX_RECORDS", "records")]
)
def test_a_bad_limit_names_its_variable(variable, unit, value):
    with pytest.raises(ChurnError, match=f"^{variable}='{value}': expected a positive .* {unit}$"):
        Settings.from_env({variable: value})


def test_the_record_limit_defaults_to_ten_thousand():
    assert Settings.from_env({}).max_records == 10_000
    assert Settings.from_env({"CHURN_MAX_RECORDS": "250"}).max_records == 250


@pytest.mark.parametrize(
    "variable",
    ["CHURN_MODEL", "CHURN_FEATURES", "CHURN_PARAMS", "CHURN_METRICS", "CHURN_CONTRACT",
     "CHURN_DVC_LOCK"],
)  # fmt: skip
def test_every_path_naming_a_folder_is_refused_before_anything_is_read(variable, tmp_path):
    """CHURN_DVC_LOCK=/tmp started the server, CHURN_MODEL=models said "model not found"."""
    with pytest.raises(ChurnError) as refused:
        create_app(Settings.from_env({variable: str(tmp_path)}))
    assert str(refused.value) == f"{tmp_path}: a folder, not a file"


def test_a_dvc_lock_set_on_purpose_must_exist(tmp_path):
    """Only the default dvc.lock (next to params.yaml) may be absent."""
    absent = tmp_path / "dvc.lock"
    with pytest.raises(ChurnError) as refused:
        create_app(Settings.from_env({"CHURN_DVC_LOCK": str(absent)}))
    assert str(refused.value) == f"{absent}: not found (CHURN_DVC_LOCK)"
    assert not Settings.from_env({"CHURN_PARAMS": str(tmp_path / "params.yaml")}).lock_given


def test_the_document_types_ids_and_snapshots_as_what_the_api_accepts():
    """Numbers were accepted (12.0 read as "12") where the document said string or null."""
    contract = contract_from_spec(SPEC, "customer_id")
    customer = build_request_model(contract, SPEC, "customer_id", "snapshot_month")
    properties = customer.model_json_schema()["properties"]
    for field in ("customer_id", "snapshot_month"):
        kinds = [kind["type"] for kind in properties[field]["anyOf"]]
        assert kinds == ["string", "number", "null"], field
        assert "12.0" in properties[field]["description"]
    for sent, read in (("C1", "C1"), (12, "12"), (12.0, "12"), (1.5, "1.5"), (None, None)):
        assert customer(orders_30d=1, device="tv", customer_id=sent).customer_id == read
    with pytest.raises(ValidationError):  # the document allows no boolean: refused
        customer(orders_30d=1, device="tv", customer_id=True)
    for infinite in (float("inf"), float("-inf")):  # JSON 1e400: "should be a valid string"
        with pytest.raises(ValidationError) as refused:
            customer(orders_30d=1, device="tv", snapshot_month=infinite)
        [error] = refused.value.errors()
        assert (error["type"], error["msg"]) == ("finite_number", "Input should be a finite number")


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def lock_with_folder_output(root: Path, model: bytes, metrics: bytes) -> Path:
    """A dvc.lock whose evaluate stage has metrics/evaluate as one folder output, with the
    folder's listing in the DVC cache, as `dvc repro` leaves them."""
    listing = json.dumps([{"md5": md5(metrics), "relpath": "metrics.json"}]).encode()
    folder_md5 = md5(listing)
    cached = root / ".dvc/cache/files/md5" / folder_md5[:2] / f"{folder_md5[2:]}.dir"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(listing)
    evaluate = {
        "deps": [{"path": "models/model.json", "hash": "md5", "md5": md5(model)}],
        "outs": [{"path": "metrics/evaluate", "hash": "md5", "md5": f"{folder_md5}.dir"}],
    }
    (root / "dvc.lock").write_text(yaml.safe_dump({"stages": {"evaluate": evaluate}}))
    return root / "dvc.lock"


def test_metrics_in_a_folder_output_are_checked_through_the_cached_listing(tmp_path):
    model, metrics = tmp_path / "model.json", tmp_path / "metrics.json"
    model.write_bytes(b'{"model": 1}')
    metrics.write_bytes(b'{"auc": 0.8}')
    lock = lock_with_folder_output(tmp_path, model.read_bytes(), metrics.read_bytes())
    assert check_metrics_pair(lock, model, metrics) is None
    metrics.write_bytes(b'{"auc": 0.7}')  # another run's metrics
    with pytest.raises(ChurnError, match=f"^{metrics} does not belong to {model}: {lock}"):
        check_metrics_pair(lock, model, metrics)
    for listing in (tmp_path / ".dvc").rglob("*.dir"):
        listing.unlink()  # no cache (as in the image): the check says it could not be made
    assert "not checked" in check_metrics_pair(lock, model, metrics)


@pytest.mark.pipeline
def test_a_rev_whose_model_data_is_not_in_the_cache_says_so(tmp_path, monkeypatch):
    """The model is a DVC output at v1, but its data is in neither the cache nor a remote."""
    run(tmp_path, "git", "init", "-q", "-b", "main")
    run(tmp_path, "dvc", "init", "-q")
    (tmp_path / "models").mkdir()
    (tmp_path / "params.yaml").write_text("{}\n")
    (tmp_path / "models/features.json").write_text("{}\n")
    (tmp_path / "models/model.json").write_text("{}\n")
    run(tmp_path, "dvc", "add", "-q", "models/model.json")
    commit_all(tmp_path, "v1")
    run(tmp_path, "git", "tag", "v1")
    shutil.rmtree(tmp_path / ".dvc/cache")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ChurnError) as error:
        load_revision("models/model.json", "models/features.json", "v1")
    assert str(error.value).startswith(
        "models/model.json@v1: a DVC output whose data is in neither the DVC cache nor the remote"
    )
    assert "dvc pull" in str(error.value) and "PathMissingError" not in str(error.value)


def test_a_rev_outside_any_git_repository_says_so(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    with pytest.raises(ChurnError) as error:
        load_revision("models/model.json", "models/features.json", "v1.0")
    assert str(error.value).startswith(f"--rev v1.0: {tmp_path} is not inside a git repository")


async def call(limit: int, chunks: list[bytes], headers: list) -> tuple[int, bytes]:
    """One request through the middleware; the inner app echoes the body it received."""

    async def echo(scope, receive, send):
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})

    incoming = [
        {"type": "http.request", "body": c, "more_body": i < len(chunks) - 1}
        for i, c in enumerate(chunks)
    ]
    sent = []

    async def receive():
        return incoming.pop(0)

    async def send(message):
        sent.append(message)

    await BodySizeLimit(echo, limit)({"type": "http", "headers": headers}, receive, send)
    return sent[0]["status"], sent[1]["body"]


def test_body_limit_by_content_length_and_by_streamed_size():
    assert asyncio.run(call(10, [b"12345"], [(b"content-length", b"5")])) == (200, b"12345")
    assert asyncio.run(call(10, [b"x" * 11], [(b"content-length", b"11")]))[0] == 413
    assert asyncio.run(call(10, [b"123456", b"7890"], [])) == (200, b"1234567890")
    assert asyncio.run(call(10, [b"123456", b"78901"], []))[0] == 413


def test_the_413_names_the_limit_its_variable_and_the_declared_size():
    """It said only 'request body larger than 10 bytes': not which setting raises the limit, nor
    the size the client declared; spaced unlike the API's other errors (JSONResponse's)."""
    status, body = asyncio.run(call(10, [b"x" * 11], [(b"content-length", b"11")]))
    assert status == 413
    assert body == (
        b'{"detail":"The body is 11 bytes (its Content-Length), above the limit of 10 bytes '
        b'(CHURN_MAX_BODY_BYTES): send fewer records per request, or use batch scoring"}'
    )
    status, body = asyncio.run(call(10, [b"123456", b"78901"], []))
    assert json.loads(body)["detail"].startswith("The body is larger than the limit of 10 bytes")


def test_batches_are_regrouped_into_chunks_of_the_asked_size_in_order():
    sizes = [3, 0, 5, 2, 4]
    starts = [sum(sizes[:k]) for k in range(len(sizes))]
    batches = [
        pa.record_batch({"n": list(range(s, s + n))}) for s, n in zip(starts, sizes, strict=True)
    ]
    tables = list(regroup(iter(batches), 4))
    assert [t.num_rows for t in tables] == [4, 4, 4, 2]
    assert [n for t in tables for n in t.column("n").to_pylist()] == list(range(14))
    assert list(regroup(iter([]), 4)) == []


def test_a_metrics_file_set_on_purpose_must_exist(tmp_path):
    """CHURN_METRICS naming no file started the server, and /model said metrics null."""
    absent = tmp_path / "metrics.json"
    with pytest.raises(ChurnError) as refused:
        create_app(Settings.from_env({"CHURN_METRICS": str(absent)}))
    assert str(refused.value) == f"{absent}: not found (CHURN_METRICS)"
    assert not Settings.from_env({}).metrics_given


def test_long_whole_numbers_are_not_echoed_in_a_422():
    """A 401-digit integer was echoed in full; text longer than 100 characters never was."""
    error = {"loc": ("body", "record", "avg_order_value"), "msg": "m", "type": "finite_number"}
    for value, echoed in ((10**400, False), (-(10**99), False), (10**100, False),
                          (10**100 - 1, True), (-5, True), (True, True)):  # fmt: skip
        assert ("input" in field_error(error | {"input": value})) is echoed, value


def test_health_tells_a_removed_file_from_a_changed_one(tmp_path):
    """/health said "a restart loads them" of a deleted model: a restart would fail."""
    model, spec = tmp_path / "model.json", tmp_path / "features.json"
    model.write_text("{}")
    spec.write_text("{}")
    files = LoadedFiles([model, spec])
    spec.write_text('{"changed": 1}')
    assert health_of(files, "v1")["note"].endswith("still serving v1, a restart loads them")
    model.unlink()
    health = health_of(files, "v1")
    assert (health["status"], health["changed_files"]) == ("stale", [str(model), str(spec)])
    assert health["note"].endswith(
        f"still serving v1; {model} removed since start: a restart would fail until it is back"
    )


def test_an_attribute_error_while_building_the_app_is_not_read_as_no_app(monkeypatch):
    """uvicorn said `Attribute "app" not found in module "churn.serve"`, hiding the cause."""

    def broken() -> None:
        raise AttributeError("'list' object has no attribute 'get'")

    monkeypatch.setattr(serve, "app_from_env", broken)
    with pytest.raises(RuntimeError, match="'list' object has no attribute 'get'"):
        import_from_string("churn.serve:app")


@pytest.mark.parametrize("marker", ["", "NA", "null", "-", "N/A", "?", None])
def test_missing_value_markers_are_no_snapshot(marker):
    """Batch scoring read "NA" as a snapshot of its own, unlike "" and the API: the customer was
    scored twice. The output's snapshot column showed "NA"."""
    column = pd.Series(["2026-06-01", None, marker], dtype=object)
    keys = snapshot_keys(column, np.arange(3))
    assert keys.iloc[2].isna().all() and keys.iloc[1].isna().all()
    assert keys.iloc[0].notna().any()
    assert pd.isna(text_of_rows(column, np.arange(3))[2])


def test_a_number_field_without_contract_bounds_refuses_numbers_beyond_float32():
    """The model matrix is float32: 1e39 would be infinite there; the API refuses it (422), as
    batch scoring rejects the row (above_max)."""
    number = TypeAdapter(value_type(ColumnContract("spend", "feature", "numeric"))[0])
    assert number.validate_python(3e38) == 3e38
    for beyond in (1e39, -1e39):
        with pytest.raises(ValidationError, match="less than or equal|greater than or equal"):
            number.validate_python(beyond)


def test_a_score_at_the_threshold_is_a_churn_decision_as_in_evaluate():
    """Batch scoring and the API decide as evaluate's precision and recall count: a score
    equal to evaluate.threshold is a churner."""
    artifacts = SimpleNamespace(threshold=0.25, version="v+md5:0")
    scores = scores_of(np.array([0.25, 0.2499, 0.9]), artifacts, pd.Series(["a", "b", "c"]))
    assert scores["churn_decision"].tolist() == [True, False, True]
    assert scores["model_version"].tolist() == ["v+md5:0"] * 3


def test_a_key_repeated_in_a_record_is_caught_whatever_its_fields_nest():
    """A record carrying more objects than 2 * CHURN_MAX_RECORDS + 1 in a field the model ignores
    was parsed unchecked: its repeated tenure_months was scored as the last value silently."""
    nested = '"meta": [' + ", ".join(['{"a": 1, "a": 2}'] * 10) + "]"
    one = f'{{"tenure_months": 26, "tenure_months": -5, {nested}}}'.encode()
    message = "Key 'tenure_months' is repeated in one object: send each key once"
    body, errors = parsed_or_refused(one, 2)
    assert body["tenure_months"] == -5
    assert errors == [
        {"type": "duplicate_key", "loc": ("body", "record", "tenure_months"), "msg": message}
    ]  # the records only: not one error per nested object
    listed = f'[{{"tenure_months": 1, {nested}}}, {one.decode()}]'.encode()
    assert [error["loc"] for error in parsed_or_refused(listed, 2)[1]] == [
        ("body", "records", 1, "tenure_months")
    ]
    assert parsed_or_refused(listed, 1)[1] == []  # refused by its count: not checked
    assert len(parsed_or_refused(one, 100)[1]) == 11  # few objects: every one is checked


def test_the_health_document_names_every_file_it_watches():
    """/health watches the contract file too (serve_settings.contract_file); its document said
    model, feature spec or params only."""
    assert "contract" in Health.model_fields["changed_files"].description


@pytest.mark.parametrize("named", ["", "contracts/mine.yaml"])
def test_health_watches_the_contract_the_server_applies(tmp_path, named):
    """With data.contract "" the server applies the contract validate applied: that is the
    file a change of which makes /health stale (none was watched)."""
    (tmp_path / "params.yaml").write_text(f"data:\n  contract: '{named}'\n")
    settings = Settings(params=tmp_path / "params.yaml", applied_contract=tmp_path / "a.yaml")
    watched = tmp_path / (named or "a.yaml")
    assert contract_file(settings) == [watched]
