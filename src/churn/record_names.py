"""A /predict record whose id or snapshot field is there only under another spelling."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from pydantic import model_validator
from pydantic_core import PydanticCustomError

from churn.errors import spelt_alike
from churn.responses import NAME_CHARS


def refuse_spelt_otherwise(roles: Mapping[str, str], fields: Collection[str]) -> Any:
    """A before-validator for the request model: a record holding a field of roles (name ->
    params key) only under another spelling ('Customer_ID' for customer_id) is a 422 naming
    both, as batch scoring refuses such a column; it was ignored, the record scored without
    its id (or snapshot). Only keys outside fields (the model's) are looked at: most records
    have none, and the check then costs a set difference."""
    known = frozenset(fields)

    def check(cls: type, record: Any) -> Any:
        if not isinstance(record, dict) or not (extra := record.keys() - known):
            return record
        for name, key in roles.items():
            if name not in record and (given := spelt_alike(name, sorted(extra))) is not None:
                raise PydanticCustomError(
                    "field_spelling",
                    "Field {given} is not '{name}' ({key}): names must match exactly",
                    {"given": repr(given[:NAME_CHARS]), "name": name, "key": key},  # unseen shown
                )
        return record

    return model_validator(mode="before")(check)
