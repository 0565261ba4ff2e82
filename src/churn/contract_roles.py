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


def check_roles(contract: Contract, data: DataParams, path: str, columns=()) -> None:
    """Refuse a contract file whose target, id or timestamp columns contradict params' data
    section: the label would be checked as a feature and trained on (label leakage), and an id
    or snapshot column of the data that params do not name would become a feature."""
    for role in ROLES:
        if conflict := role_conflict(contract, data, role, columns):
            raise ChurnError(f"{path} {conflict}")
