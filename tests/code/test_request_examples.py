"""/predict's whole-body examples for the OpenAPI document, built from the model's inputs and the
contract (the real server scores them: tests/model/test_serving_docs.py)."""

from __future__ import annotations

from pydantic import TypeAdapter

from churn.contract_spec import ColumnContract, Contract
from churn.features import FeatureSpec
from churn.request_examples import request_examples
from churn.request_model import build_request_model, model_inputs, request_body

SPEC = FeatureSpec(
    numeric=["score", "debt", "paid", "flagged"],
    categorical={"device": ["desktop", "mobile", "__missing__", "__unknown__"], "blank": []},
    engineered=[],
)
CONTRACT = Contract(
    [
        ColumnContract("score", "feature", "numeric", nullable=True, min=2.5, max=9),
        ColumnContract("debt", "feature", "numeric", nullable=False, max=-3),
        ColumnContract("flagged", "feature", "boolean", nullable=False),
        ColumnContract("device", "feature", "categorical", nullable=False),
        ColumnContract("blank", "feature", "categorical", nullable=False),
    ]
)


def test_the_examples_hold_every_input_within_the_contract_and_validate():
    inputs = model_inputs(CONTRACT, SPEC)
    examples = request_examples(inputs, SPEC, "customer_id", 1000)
    one, both = examples["one record"]["value"], examples["records"]["value"]
    assert one == {"customer_id": "example-1", "score": 2.5, "debt": -3, "paid": 0,
                   "flagged": False, "device": "desktop", "blank": "other"}  # fmt: skip
    assert both[0] == one
    assert both[1] == one | {"customer_id": "example-2", "score": 2.5, "paid": 1,
                             "flagged": True, "device": "mobile"}  # fmt: skip
    body = TypeAdapter(request_body(build_request_model(CONTRACT, SPEC, "customer_id"), 1000))
    for sent in (one, both):
        body.validate_python(sent)  # no null: FastAPI's document leaves nulls out
    assert "customer_id" not in request_examples(inputs, SPEC, "", 1000)["one record"]["value"]
