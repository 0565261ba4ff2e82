"""The API's request model, generated from the data contract (or the feature spec) at startup,
and its response models."""

from __future__ import annotations

import math
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, create_model
from pydantic_core import PydanticCustomError

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


def is_missing(value: Any) -> bool:
    """null, NaN, or missing-value text: what batch scoring reads as a missing value."""
    return missing_as_none(value) is None


def refuse_missing(value: Any) -> Any:
    """A missing value where the contract allows none: refused alike for every type (a 422)."""
    if is_missing(value):
        raise PydanticCustomError(
            "missing_value", "Input is a missing value, which this field does not allow"
        )
    return value


def id_text(value: Any) -> Any:
    """An id as batch scoring reads it: numbers as text (12 and 12.0 are "12"), and a
    missing-value marker ("", "NA" ...) as no id."""
    if isinstance(value, bool):
        return value  # refused by the str type
    if isinstance(value, float) and math.isfinite(value):
        return str(int(value)) if value.is_integer() else str(value)
    return str(value) if isinstance(value, int) else missing_as_none(value)


def feature_field(column: ColumnContract, spec: FeatureSpec) -> tuple[Any, Any]:
    """(type, Field) for one model input: required, null allowed (scored as a missing value)."""
    if column.name in spec.categorical:
        known = column.categories or known_levels(spec.categorical[column.name])
        description = (
            f"Categorical. Known values: {', '.join(known)}. Any other text is accepted and "
            "scored as an unknown category."
        )
        extra = {"x-known-values": known, "examples": known[:1]}
        about = Field(description=description, json_schema_extra=extra)
        if column.nullable:
            return Annotated[str | None, BeforeValidator(missing_as_none), about], ...
        return Annotated[str, BeforeValidator(refuse_missing), about], ...
    limits = {"ge": column.min, "le": column.max} if column.type == "numeric" else {}
    limits = {key: value for key, value in limits.items() if value is not None}
    if column.type == "numeric":
        limits["allow_inf_nan"] = False
    kind = bool if column.type == "boolean" else float  # JSON 0/1 and true/false are booleans
    checked = Annotated[kind, Field(**limits)]
    if not column.nullable:
        about = Field(description=f"{column.type.capitalize()}.")
        return Annotated[checked, BeforeValidator(refuse_missing), about], ...
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


class Prediction(BaseModel):
    id: str | None = Field(description="The record's id as sent; null when the request has none")
    churn_probability: float
    churn_decision: bool = Field(description="Whether churn_probability reaches the threshold")


class Rejection(BaseModel):
    index: int = Field(description="Position of the record in the request")
    reason: str = Field(description="The contract row rule it broke, e.g. null:customer_id")


class Scores(BaseModel):
    """The scored records, and what was refused, ignored or unknown in the request."""

    predictions: list[Prediction]
    model_version: str
    rejected: list[Rejection]
    ignored_fields: list[str] = Field(description="Fields the model does not use")
    unknown_categories: dict[str, int] = Field(description="Per field: values unseen in training")


class FieldError(BaseModel):
    loc: list[str | int] = Field(description='e.g. ["body", 1, "tenure_months"]')
    msg: str
    type: str
    input: Any = Field(None, description="The rejected value, when short")


class RequestError(BaseModel):
    """A 422: the fields that failed validation, or why the contract refused the request."""

    detail: list[FieldError] | str


class TooLarge(BaseModel):
    """A 413: the request body is above CHURN_MAX_BODY_BYTES."""

    detail: str
