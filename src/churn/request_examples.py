"""Whole-body examples of /predict's request for the OpenAPI document (Swagger UI's "Try it out"
sends the one chosen), built from the model's inputs and the contract, so they stay valid, and
are scored, whatever the model."""

from __future__ import annotations

from typing import Any

from churn.contract_spec import ColumnContract
from churn.features import FeatureSpec
from churn.spec_contract import known_levels

OTHER = "other"  # a category field whose model knows no value: any text is scored as unknown


def example_value(column: ColumnContract, spec: FeatureSpec, second: bool) -> Any:
    """A value the API scores for this input: a category the model knows (the first; the last for
    the second record), false (true) for a flag, 0 (1) or the contract's bound nearest to it for
    a number. Never null: FastAPI leaves nulls out of the document, and a field left out is a
    422."""
    if column.name in spec.categorical:
        known = known_levels(spec.categorical[column.name]) or [OTHER]
        return known[-1] if second else known[0]
    if column.type == "boolean":
        return second
    low, high = column.bounds
    number = float(min(max(float(second), low), high))  # a bound may be an int
    return int(number) if number.is_integer() else number


def example_record(
    inputs: list[ColumnContract], spec: FeatureSpec, id_column: str, number: int
) -> dict[str, Any]:
    """Example record `number` (1 or 2): its id (when the data has ids), then every model input."""
    record: dict[str, Any] = {id_column: f"example-{number}"} if id_column else {}
    return record | {column.name: example_value(column, spec, number == 2) for column in inputs}


def request_examples(
    inputs: list[ColumnContract], spec: FeatureSpec, id_column: str, max_records: int
) -> dict[str, dict[str, Any]]:
    """/predict's examples, as FastAPI's Body(openapi_examples=...) takes them: one record, and
    a list of two."""
    first, second = (example_record(inputs, spec, id_column, n) for n in (1, 2))
    return {
        "one record": {"summary": "One customer", "value": first},
        "records": {
            "summary": f"A list of customers (at most {max_records}: CHURN_MAX_RECORDS)",
            "value": [first, second],
        },
    }
