"""Pieces of the scoring API without a server: request model from a contract, body-size limit."""

from __future__ import annotations

import asyncio

import pyarrow as pa
import pytest
from pydantic import ValidationError

from churn.artifacts import contract_from_spec
from churn.body_limit import BodySizeLimit
from churn.contract import ColumnContract, Contract
from churn.features import FeatureSpec
from churn.predict import regroup
from churn.request_model import build_request_model

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


def test_request_model_takes_known_values_from_a_contract_file():
    contract = Contract(
        [
            ColumnContract("orders_30d", "feature", "numeric"),
            ColumnContract("device", "feature", "categorical", categories=["mobile", "tv"]),
        ]
    )
    schema = build_request_model(contract, SPEC, "").model_json_schema()
    assert schema["properties"]["device"]["x-known-values"] == ["mobile", "tv"]
    assert "customer_id" not in schema["properties"]


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
