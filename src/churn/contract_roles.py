"""Whether a contract file's target, id and timestamp columns are the ones params' data section
names: validate refuses a contradiction before applying the contract, and batch scoring and the
API before scoring with it."""

from __future__ import annotations

from churn.contract_spec import Contract
from churn.data_params import ROLES, DataParams
from churn.errors import ChurnError


def role_conflict(contract: Contract, data: DataParams, role: str, columns=()) -> str:
    """How the contract contradicts the column data.<role> names ("" when it does not): it
    gives the role to another column, gives the column another role, or (the label) lists no
    target at all; with data.<role> "" (none), it gives the role to a column of the data
    (columns), which would become a feature. A contract without such a column is no
    contradiction."""
    name, holders = getattr(data, role), contract.names(role)
    if not name:
        present = [holder for holder in holders if holder in columns]
        return unnamed_role(role, present[0]) if present else ""
    other = next((c.role for c in contract.columns if c.name == name), role)
    if holders and name not in holders:
        also = f" (it gives {name!r} the {other} role)" if other != role else ""
        given = ", ".join(map(repr, holders))
        return f"gives the {role} role to {given}, params data.{role} is {name!r}{also}"
    if other != role:
        return f"gives {name!r} the {other} role, params data.{role} names it as the {role}"
    if role == "target" and not holders:
        return f"gives no column the target role, params data.target is {name!r}"
    return ""


def unnamed_role(role: str, column: str) -> str:
    return (
        f"gives the {role} role to {column!r}, which the data has, and params data.{role} "
        f"is empty: set data.{role}: {column}, or give the column another role there"
    )


def check_roles(contract: Contract, data: DataParams, path: str, columns=(), model=None) -> None:
    """Refuse a contract file whose target, id or timestamp columns contradict params' data
    section: the label would be checked as a feature and trained on (label leakage), and an id
    or snapshot column of the data that params do not name would become a feature; to score
    (model: the feature spec's numeric and categorical inputs), also one that types a model
    input another way (see check_model_types)."""
    for role in ROLES:
        if conflict := role_conflict(contract, data, role, columns):
            raise ChurnError(f"{path} {conflict}")
    if model is not None:
        check_model_types(contract, path, *model)


# the contract types a model reads as each kind of input (churn.features.is_numeric_column)
MODEL_READS = {"numeric": ("numeric", "boolean"), "categorical": ("categorical",)}


def model_type_conflict(contract: Contract, numeric: list[str], categorical) -> str:
    """How the contract types a model input otherwise than the model reads it ("" when it does
    not): numeric and categorical are the feature spec's inputs of each kind."""
    for column in contract.columns:
        read = "numeric" if column.name in numeric else None
        read = "categorical" if column.name in categorical else read
        if read and column.type not in MODEL_READS[read]:
            return f"types {column.name!r} as {column.type}, and the model reads it as {read}"
    return ""


def check_model_types(contract: Contract, path: str, numeric: list[str], categorical) -> None:
    """Refuse to score with a contract that types a model input otherwise than the model was
    trained on (the contract edited since, or another model's): its checks of that column
    (range, categories) would be applied to values the model reads another way, or dropped."""
    if conflict := model_type_conflict(contract, numeric, categorical):
        raise ChurnError(
            f"{path} {conflict} (the feature spec): the contract is not the one the model was "
            "trained with (edited since? run `dvc repro`)"
        )
