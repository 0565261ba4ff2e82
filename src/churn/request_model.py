"""The API's request model, generated from the data contract (or the feature spec) at startup
(the response models are in churn.responses)."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Strict,
    Tag,
    WithJsonSchema,
    create_model,
)
from pydantic_core import PydanticCustomError

from churn.contract_spec import ColumnContract, Contract
from churn.features import FeatureSpec
from churn.field_values import (
    SURROGATE,
    TEXT,
    id_text,
    json_number,
    missing_as_none,
    refuse_missing,
)
from churn.flags import MISSING_TEXT, flag_schema, flag_value
from churn.record_names import refuse_spelt_otherwise
from churn.responses import NAME_CHARS
from churn.spec_contract import known_levels

# What the document says an id accepts: id_text reads numbers as text, and refuses booleans.
ID_SCHEMA = WithJsonSchema({"anyOf": [{"type": "string"}, {"type": "number"}, {"type": "null"}]})


def shortened(name: str) -> str:
    """A name safe to echo in an answer: lone surrogates replaced (UTF-8 cannot encode them), and
    cut to NAME_CHARS characters with an ellipsis."""
    name = SURROGATE.sub("\ufffd", name)
    return name if len(name) <= NAME_CHARS else f"{name[:NAME_CHARS]}\u2026"


def value_type(column: ColumnContract) -> tuple[Any, str]:
    """The type of a numeric or boolean model input (null aside), and its description."""
    if column.type == "boolean":
        flag = Annotated[bool, Strict(), BeforeValidator(flag_value)]
        return flag, "Boolean: true/false, 0/1, or text such as yes/no, on/off, 1.0"
    limits = dict(zip(("ge", "le"), column.bounds, strict=True)) if column.type == "numeric" else {}
    number = Annotated[float, Field(allow_inf_nan=False, **limits), BeforeValidator(json_number)]
    return number, 'Numeric: a JSON number (text such as "26" is refused)'


def category_about(column: ColumnContract, known: list[str]) -> str:
    """A categorical field's description: the values the model knows (its feature spec's, which
    decide what is scored as unknown), and those the contract lists that it does not."""
    text = (
        f"Categorical. Known values: {', '.join(known)}. Any other text is accepted and scored "
        "as an unknown category"
    )
    unlearnt = [value for value in column.categories or [] if value not in known]
    if unlearnt:
        text += f" (as are {', '.join(unlearnt)}: in the contract, unseen or too rare in training)"
    return f"{text}." if column.nullable else f"{text}. Missing-value text is refused."


def category_field(column: ColumnContract, spec: FeatureSpec) -> tuple[Any, Any]:
    """(type, Field) for a categorical model input; x-known-values lists the model's values."""
    known = known_levels(spec.categorical[column.name])
    extra: dict[str, Any] = {"x-known-values": known, "examples": known[:1]}
    if column.nullable:
        about = Field(description=category_about(column, known), json_schema_extra=extra)
        return Annotated[TEXT | None, BeforeValidator(missing_as_none), about], ...
    # the document refuses the missing-value text that refuse_missing refuses ("", "NA" ...)
    extra["not"] = {"pattern": MISSING_TEXT}
    about = Field(description=category_about(column, known), json_schema_extra=extra)
    return Annotated[TEXT, BeforeValidator(refuse_missing), about], ...


def feature_field(column: ColumnContract, spec: FeatureSpec) -> tuple[Any, Any]:
    """(type, Field) for one model input: required, null allowed (scored as a missing value)."""
    if column.name in spec.categorical:
        return category_field(column, spec)
    checked, description = value_type(column)
    # a flag's document lists every spelling it reads (pydantic's would say boolean only)
    shown = [WithJsonSchema(flag_schema(column.nullable))] if column.type == "boolean" else []
    if not column.nullable:
        about = Field(description=f"{description}.")
        return Annotated[checked, BeforeValidator(refuse_missing), about, *shown], ...
    # null, and NaN as Python's json writes a pandas gap, are missing values
    about = Field(description=f"{description}; null means missing.")
    return Annotated[checked | None, BeforeValidator(missing_as_none), about, *shown], ...


def model_inputs(contract: Contract, spec: FeatureSpec) -> list[ColumnContract]:
    """The contract of each model input, in the spec's order (where it has none, a flag when the
    spec records one, as validate read it: yes/no too; else a number)."""
    by_name = {column.name: column for column in contract.columns}
    default = partial(ColumnContract, role="feature")
    kind = {name: "boolean" if name in spec.flags else "numeric" for name in spec.input_columns}
    return [by_name.get(name) or default(name, type=kind[name]) for name in spec.input_columns]


def build_request_model(
    contract: Contract, spec: FeatureSpec, id_column: str, snapshot: str = ""
) -> type[BaseModel]:
    """A pydantic model with one field per model input (plus the optional id and snapshot);
    extras allowed."""
    fields: dict[str, Any] = {}
    as_text = Annotated[TEXT | None, BeforeValidator(id_text), ID_SCHEMA]
    numbers = 'a number is read as text (12 and 12.0 are "12"), as batch scoring reads it'
    if id_column:
        about = Field(None, description=f"Customer id, echoed back; {numbers}")
        fields[id_column] = (as_text, about)
    if snapshot and snapshot not in spec.input_columns:
        about = Field(
            None, description=f"Snapshot of the record: an id repeats only within one; {numbers}"
        )
        fields[snapshot] = (as_text, about)
    for column in model_inputs(contract, spec):
        fields[column.name] = feature_field(column, spec)
    config = ConfigDict(extra="allow", title="Customer")
    roles = ((id_column, "data.id"), (snapshot, "data.timestamp"))
    spelling = refuse_spelt_otherwise({name: key for name, key in roles if name}, fields)
    return create_model(
        "Customer", __config__=config, __validators__={"spelling": spelling}, **fields
    )


RECORD, RECORDS = "record", "records"  # the two shapes of a /predict body, tags in error locs


def at_most(limit: int, records: Any) -> Any:
    """The list unchanged when it holds at most `limit` records; counted before any record is
    validated, so an oversized list costs no per-record work."""
    if isinstance(records, list) and len(records) > limit:
        raise PydanticCustomError(
            "too_many_records",
            "A request holds at most {limit} records (CHURN_MAX_RECORDS), this one {count}: "
            "send them in several requests, or use batch scoring",
            {"limit": limit, "count": len(records)},
        )
    return records


def body_shape(body: Any) -> str:
    """Which branch of the body type validates this body: a list, or one record."""
    return RECORDS if isinstance(body, list) else RECORD


def request_body(customer: type[BaseModel], max_records: int) -> Any:
    """The /predict body type: one customer, or a list of at most max_records; only the branch
    of the body's shape is validated."""
    records = Annotated[
        list[customer],  # type: ignore[valid-type]
        Field(max_length=max_records),  # maxItems in the OpenAPI document
        BeforeValidator(partial(at_most, max_records)),
        Tag(RECORDS),
    ]
    one = Annotated[customer, Tag(RECORD)]
    return Annotated[one | records, Discriminator(body_shape)]
