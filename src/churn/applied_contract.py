"""The contract validate applied (the file data.contract names, or the one it inferred), written
beside the model: batch scoring and the API judge records by it when params name no contract
file, as validate judged the training rows (not by looser rules derived from the feature spec)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from churn.contract_spec import Contract
from churn.errors import read_text
from churn.tables import writing

APPLIED_CONTRACT = "models/contract.yaml"  # where dvc.yaml's validate stage writes it
MISSING = (
    "the contract validate applied is not there (data.contract is empty, so scoring reads it; "
    "run `dvc repro` or `dvc pull`)"
)


def applied_contract_text(contract: Contract, source: str) -> str:
    """The contract as YAML, headed by where it came from (source) and the notes it carries."""
    header = [
        f"Written by validate: the contract it applied ({source}).",
        "Batch scoring and the API apply it when data.contract is empty.",
    ]
    return replace(contract, notes=[*header, *contract.notes]).to_yaml()


def write_applied_contract(contract: Contract, source: str, path: Path) -> None:
    with writing(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(applied_contract_text(contract, source), encoding="utf-8")


def read_applied_contract(path: Path | str) -> Contract:
    """The contract validate wrote at path; one line naming it when it is missing or not one."""
    return Contract.from_yaml(read_text(path, MISSING), str(path))
