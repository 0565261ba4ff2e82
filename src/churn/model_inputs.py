"""The contract batch scoring and the API check records with (data.contract's file), against
the model it scores for: every model input in it, or let through by contract.new_column."""

from __future__ import annotations

from churn.contract_roles import check_roles
from churn.contract_spec import Contract
from churn.data_params import DataParams, Policies
from churn.errors import ChurnError
from churn.features import ENGINEERED, FeatureSpec


def check_scoring_contract(
    contract: Contract, data: DataParams, spec: FeatureSpec, policies: Policies, path: str
) -> None:
    """Refused as validate refuses it (check_roles), when it types a model input another way,
    and when it lacks a model input (check_model_inputs)."""
    check_roles(contract, data, path, model=(spec.numeric, spec.categorical))
    check_model_inputs(contract, spec, policies.new_column, path)


def check_model_inputs(contract: Contract, spec: FeatureSpec, new_column: str, path: str) -> None:
    """Refuse a contract without a model input, unless contract.new_column is include (validate
    then keeps columns outside the contract, and the model may have trained on one): such an
    input was checked only as a new column, without the range or levels it trained with. An
    engineered feature's name among the spec's inputs (a spec edited by hand: featurize lists a
    ratio as an input only when the data has a column of that name) is named as such."""
    named = {column.name for column in contract.columns}
    missing = [name for name in spec.input_columns if name not in named]
    if not missing or new_column == "include":
        return
    name, more = missing[0], f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
    engineered = name in ENGINEERED and name not in spec.engineered
    why = (
        f"an engineered feature (built from {', '.join(ENGINEERED[name][0])}) that the feature "
        "spec lists as a column of the data"
        if engineered
        else "a model input (the feature spec)"
    )
    raise ChurnError(
        f"{path} lacks {name!r}{more}, {why}; with contract.new_column: {new_column} no column "
        "outside the contract reaches the model: the contract or the feature spec is not the "
        "one the model was trained with (edited since? run `dvc repro`)"
    )
