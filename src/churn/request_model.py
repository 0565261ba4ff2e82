"""The API's request model, generated from the data contract (or the feature spec) at startup."""

from __future__ import annotations

import math
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, create_model

from churn.artifacts import known_levels
from churn.coercion import MISSING_MARKERS
from churn.contract import ColumnContract, Contract
from churn.features import FeatureSpec


def missing_as_none(value: Any) -> Any:
    """NaN (JSON `NaN` from Python clients) and missing-value text ("", "NA", "null" ...) as
    null, as batch scoring reads them; every other value unchanged."""
    if isinstance(value, float) and math.isnan(value):
        return None
    return None if isinstance(value, str) and value.strip() in MISSING_MARKERS else value


def id_text(value: Any) -> Any:
    """A numeric id as text (batch scoring reads every id as text)."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def feature_field(column: ColumnContract, spec: FeatureSpec) -> tuple[Any, Any]:
    """(type, Field) for one model input: required, null allowed (scored as a missing value)."""
    if column.name in spec.categorical:
        known = column.categories or known_levels(spec.categorical[column.name])
        description = (
            f"Categorical. Known values: {', '.join(known)}. Any other text is accepted and "
            "scored as an unknown category."
        )
        extra = {"x-known-values": known, "examples": known[:1]}
        kind = str | None if column.nullable else str
        return Annotated[kind, Field(description=description, json_schema_extra=extra)], ...
    limits = {"ge": column.min, "le": column.max} if column.type == "numeric" else {}
    limits = {key: value for key, value in limits.items() if value is not None}
    if column.type == "numeric":
        limits["allow_inf_nan"] = False
    kind = bool if column.type == "boolean" else float  # JSON 0/1 and true/false are booleans
    checked = Annotated[kind, Field(**limits)]
    if not column.nullable:
        return Annotated[checked, Field(description=f"{column.type.capitalize()}.")], ...
    # null, and NaN as Python's json writes a pandas gap, are missing values
    about = Field(description=f"{column.type.capitalize()}; null means missing.")
    return Annotated[checked | None, BeforeValidator(missing_as_none), about], ...


def build_request_model(contract: Contract, spec: FeatureSpec, id_column: str) -> type[BaseModel]:
    """A pydantic model with one field per model input (plus the optional id); extras allowed."""
    by_name = {column.name: column for column in contract.columns}
    fields: dict[str, Any] = {}
    if id_column:
        about = Field(None, description="Customer id, echoed back")
        fields[id_column] = (Annotated[str | None, BeforeValidator(id_text)], about)
    for name in spec.input_columns:
        fields[name] = feature_field(
            by_name.get(name, ColumnContract(name, "feature", "numeric")), spec
        )
    config = ConfigDict(extra="allow", title="Customer")
    return create_model("Customer", __config__=config, **fields)
