"""The contract validate applies: the file --contract names, else params' data.contract, or,
when the setting that applies is "", one inferred from the data (saying which setting was empty)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd

from churn.contract import infer_contract, review_notes
from churn.contract_roles import check_roles
from churn.contract_spec import ColumnContract, Contract
from churn.data_params import DataParams, contract_location
from churn.errors import read_text

COMMAND_LINE, PARAMS = "--contract", "data.contract"


def contract_setting(given: str | None, data: DataParams, params: Path) -> tuple[str, str]:
    """(contract path, the setting it comes from): --contract when given, else data.contract,
    relative to the params file's folder as batch scoring reads it. A --contract equal to
    data.contract (the DVC stage passes `--contract=${data.contract}`) is data.contract's."""
    if given is None:
        return (str(contract_location(params, data.contract)) if data.contract else ""), PARAMS
    return given, PARAMS if given == data.contract else COMMAND_LINE


def choose_contract(
    path: str, setting: str, frame: pd.DataFrame, data: DataParams, params: Path, where: str = ""
) -> Contract:
    """The contract file at path, its roles checked against params (see check_roles) and the
    role columns it leaves out added (see with_role_columns), or (path "") one inferred from
    the data (read from where), saying so and naming the setting that was empty."""
    if path:
        named = f" (data.contract in {params})" if setting == PARAMS else ""
        contract = Contract.from_yaml(read_text(path, f"contract file not found{named}"), path)
        check_roles(contract, data, path, set(frame.columns))  # as written, before the roles added
        return with_role_columns(contract, frame, data)
    print(
        f"validate: no contract given ({setting} is empty): inferred one from the data; "
        "write yours with `python -m churn.contract infer DATA > contracts/mine.yaml`"
    )
    contract = infer_contract(frame, data, where)
    for note in review_notes(contract):
        print(f"validate: {note}")
    return contract


def outside_contracts_warning(path: str, root: Path) -> str:
    """A warning when the contract file is not in root's contracts/ folder, the one dvc.yaml
    declares as validate's dependency (editing another file leaves the outputs stale); ""."""
    if not path or Path(path).resolve().is_relative_to((root / "contracts").resolve()):
        return ""
    return (
        f"validate: warning: {path} is outside contracts/, which dvc.yaml declares: "
        "editing it will not rerun validate"
    )


def with_role_columns(contract: Contract, frame: pd.DataFrame, data: DataParams) -> Contract:
    """The contract with the data.id and data.timestamp columns of the data that it leaves out,
    typed as an inferred contract types them (text ids, dates, neither missing): under
    contract.new_column: ignore, validate dropped them from its output (split then found no
    such column) and refused no repeated id."""
    kinds = {"id": (data.id, "categorical"), "timestamp": (data.timestamp, "datetime")}
    added = [
        ColumnContract(name, role, kind, nullable=False)
        for role, (name, kind) in kinds.items()
        if name and name in frame.columns and name not in contract.names()
    ]
    return replace(contract, columns=[*contract.columns, *added]) if added else contract
