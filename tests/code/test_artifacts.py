"""The scoring artifacts read at a git revision (churn.predict --rev): files that are not what
they should be there are one line naming the file and the revision."""

from __future__ import annotations

import pytest
import yaml

from churn import artifacts
from churn.errors import ChurnError
from churn.features import FeatureSpec
from tests.helpers import REPO

PARAMS_AT_REV = {
    "requirements.txt": (b"pandas==2.2.3\n", "expected a mapping of sections"),
    "README.md": (b"# t\n\nrun: `a: b`: c\n", "not valid YAML (ScannerError at line 3"),
    "latin1.yaml": (b"evaluate: {threshold: 0.5} # Gr\xfc\xdfe\n", "not UTF-8 text (byte 0xfc)"),
}


@pytest.mark.parametrize("name", PARAMS_AT_REV)
def test_params_at_a_revision_that_are_no_params_are_one_line(monkeypatch, name):
    """--rev v1.0 --params requirements.txt was AttributeError: 'str' object has no attribute
    'get', a file that is not YAML a yaml ScannerError traceback."""
    text, problem = PARAMS_AT_REV[name]
    monkeypatch.setattr(artifacts, "resolve_rev", lambda rev: "0123456789")
    monkeypatch.setattr(artifacts, "read_at_rev", lambda path, rev: text)
    with pytest.raises(ChurnError) as refused:
        artifacts.load_revision("models/model.json", "models/features.json", "v1.0", name)
    assert str(refused.value).startswith(f"{name}@v1.0: {problem}")


SPEC = FeatureSpec(["tenure_months", "app_installed"], {"country": ["DE", "__missing__"]}, [])
DATA = yaml.safe_load((REPO / "params.yaml").read_text())["data"] | {"timestamp": ""}


def contract_text(**types: str) -> str:
    """A contract of the label, the id and these feature columns (name: type)."""
    columns = {
        "churned": {"role": "target", "type": "boolean"},
        "customer_id": {"role": "id", "type": "categorical"},
    } | {name: {"role": "feature", "type": kind} for name, kind in types.items()}
    return yaml.safe_dump({"version": 1, "columns": columns})


def rules(contract: str, tmp_path):
    """input_rules with data.contract naming the contract, then with the contract validate
    applied (data.contract empty)."""
    names = ("model.json", "features.json", "params.yaml")
    named = {"data": DATA | {"contract": "c.yaml"}}
    artifacts.input_rules(named, SPEC, names, lambda path: contract, None)
    (tmp_path / "applied.yaml").write_text(contract)
    applied = artifacts.applied_in_workspace(tmp_path / "applied.yaml")
    artifacts.input_rules({"data": DATA | {"contract": ""}}, SPEC, names, None, applied)


@pytest.mark.parametrize(
    ("types", "problem"),
    [
        ({"tenure_months": "categorical", "country": "categorical"}, "'tenure_months' as categ"),
        ({"country": "numeric"}, "types 'country' as numeric, and the model reads it as categ"),
        ({"country": "datetime"}, "types 'country' as datetime, and the model reads it as categ"),
        ({"app_installed": "categorical"}, "'app_installed' as categorical, and the model reads"),
    ],
)
def test_a_contract_typing_a_model_input_another_way_is_refused(tmp_path, types, problem):
    """A contract edited since training (tenure_months made categorical) was applied as it
    stood: the API and batch scoring read the column as the model does, its range dropped,
    and scored without a word."""
    contract = contract_text(**({"tenure_months": "numeric", "app_installed": "boolean"} | types))
    with pytest.raises(ChurnError) as refused:
        rules(contract, tmp_path)
    assert problem in str(refused.value) and "run `dvc repro`" in str(refused.value)


def test_a_contract_typing_the_model_inputs_as_trained_is_taken(tmp_path):
    """Booleans are numeric inputs; columns the model does not read (a date) may take any type
    (a model input the contract leaves out is refused under contract.new_column: ignore, as
    validate would have left it out: tests/code/test_model_inputs.py)."""
    inputs = {"tenure_months": "numeric", "country": "categorical"}
    rules(contract_text(**inputs, app_installed="boolean", seen="datetime"), tmp_path)
    rules(contract_text(**inputs, app_installed="numeric"), tmp_path)
