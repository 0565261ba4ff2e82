"""The API's request model, generated from the data contract (or the feature spec) at startup."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from churn.contract import ColumnContract, Contract
from churn.features import MISSING, UNKNOWN, FeatureSpec


def contract_from_spec(spec: FeatureSpec, id_column: str) -> Contract:
    """A contract for the model's input columns when no contract file is given."""
    numeric = [ColumnContract(name, "feature", "numeric") for name in spec.numeric]
    categorical = [
        ColumnContract(name, "feature", "categorical", categories=known_levels(levels))
        for name, levels in spec.categorical.items()
    ]
    ids = [ColumnContract(id_column, "id", "categorical")] if id_column else []
    return Contract([*ids, *numeric, *categorical])


def known_levels(levels: list[str]) -> list[str]:
    return [level for level in levels if level not in (MISSING, UNKNOWN)]


def feature_field(column: ColumnContract, spec: FeatureSpec) -> tuple[Any, Any]:
    """(type, Field) for one model input: required, null allowed (scored as a missing value)."""
    if column.name in spec.categorical:
        known = column.categories or known_levels(spec.categorical[column.name])
        description = (
            f"Categorical. Known values: {', '.join(known)}. Any other text is accepted and "
            "scored as an unknown category; null means missing."
        )
        extra = {"x-known-values": known, "examples": known[:1]}
        return Annotated[str | None, Field(description=description, json_schema_extra=extra)], ...
    # No range limits here: batch scoring does not reject out-of-range values either.
    description = f"Numeric ({column.type}); null means missing."
    field = Field(description=description, allow_inf_nan=False)
    return Annotated[float | None, field], ...


def build_request_model(contract: Contract, spec: FeatureSpec, id_column: str) -> type[BaseModel]:
    """A pydantic model with one field per model input (plus the optional id); extras allowed."""
    by_name = {column.name: column for column in contract.columns}
    fields: dict[str, Any] = {}
    if id_column:
        fields[id_column] = (str | None, Field(None, description="Customer id, echoed back"))
    for name in spec.input_columns:
        fields[name] = feature_field(
            by_name.get(name, ColumnContract(name, "feature", "numeric")), spec
        )
    config = ConfigDict(extra="allow", title="Customer")
    return create_model("Customer", __config__=config, **fields)
