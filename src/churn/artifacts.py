"""The serving artifacts (feature spec, model, threshold) of the workspace or of a git revision."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from churn.contract_roles import check_roles
from churn.contract_spec import ColumnContract, Contract
from churn.data_params import DataParams, Policies, contract_location
from churn.errors import ChurnError, read_bytes, require_file
from churn.errors import read_text as read_utf8
from churn.features import MISSING, UNKNOWN, FeatureSpec
from churn.model import ChurnModel, feature_names_of, parse_model
from churn.params import PARAMS_FILE, params_from_text, read_params_file
from churn.params import SECTIONS as PARAM_SECTIONS
from churn.revision_files import read_at_rev, resolve_rev
from churn.typed_sections import field_defaults, section_from_mapping

WORKSPACE = "workspace"


@dataclass(frozen=True)
class Artifacts:
    """Everything needed to score: features, model, threshold, input contract, version."""

    spec: FeatureSpec
    model: ChurnModel
    threshold: float
    data: DataParams
    contract: Contract
    policies: Policies
    version: str

    @property
    def id_column(self) -> str:
        return self.data.id


def known_levels(levels: list[str]) -> list[str]:
    return [level for level in levels if level not in (MISSING, UNKNOWN)]


def contract_from_spec(spec: FeatureSpec, id_column: str) -> Contract:
    """A contract for the model's input columns, when params give no contract file."""
    numeric = [ColumnContract(name, "feature", "numeric") for name in spec.numeric]
    categorical = [
        ColumnContract(name, "feature", "categorical", categories=known_levels(levels))
        for name, levels in spec.categorical.items()
    ]
    ids = [ColumnContract(id_column, "id", "categorical", nullable=False)] if id_column else []
    return Contract([*ids, *numeric, *categorical])


def input_rules(
    params: dict, spec: FeatureSpec, read_text, source: str = str(PARAMS_FILE)
) -> tuple[DataParams, Contract, Policies]:
    """data params, the contract (file or derived from the spec) and the contract policies;
    errors name source, the params file read."""
    # an older revision's params.yaml may lack keys added since: they take their defaults
    data_raw = field_defaults(DataParams) | (params.get("data") or {})
    data = section_from_mapping(DataParams, "data", data_raw, source)
    policies_raw = field_defaults(Policies) | (params.get("contract") or {})
    policies = section_from_mapping(Policies, "contract", policies_raw, source)
    if data.contract:
        contract = Contract.from_yaml(read_text(data.contract), data.contract)
    else:
        contract = contract_from_spec(spec, data.id)
    return data, contract, policies


def model_version(model_bytes: bytes, rev: str) -> str:
    """`<revision>+md5:<model file md5>`: the md5 is the one dvc.lock records for the model."""
    return f"{rev}+md5:{hashlib.md5(model_bytes).hexdigest()}"


def check_consistent(spec: FeatureSpec, model: ChurnModel, where: str) -> None:
    """Fail when the model was not trained on the features the spec builds (order may differ)."""
    model_names, spec_names = feature_names_of(model), spec.feature_names
    if sorted(model_names) != sorted(spec_names):
        only_model = [n for n in model_names if n not in spec_names][:5]
        only_spec = [n for n in spec_names if n not in model_names][:5]
        raise ChurnError(
            f"{where}: model and feature spec do not match (model only: {only_model}, "
            f"spec only: {only_spec}, {len(model_names)} vs {len(spec_names)} features)"
        )


def check_roles_match(spec: FeatureSpec, data: DataParams, names: tuple[str, str, str]) -> None:
    """Fail when params name another label, id or timestamp column than the feature spec was
    built with (params.yaml edited since `dvc repro`): the id would silently become a position,
    or a renamed column be ignored."""
    roles = sorted(column for column in (data.target, data.id, data.timestamp) if column)
    if spec.excluded and roles != spec.excluded:  # excluded: the roles at featurize time
        raise ChurnError(
            f"{names[2]}: the label, id and timestamp columns {roles} (data.target, data.id, "
            f"data.timestamp) differ from the {spec.excluded} that {names[1]} was built with "
            "(params changed since the model was trained: run `dvc repro`)"
        )


def build(
    spec_text: str, model_raw: bytes, names: tuple[str, str, str], params: dict, rev: str, read_text
) -> Artifacts:
    """Check the pieces against each other (errors name them: names = model, feature spec,
    params file) and bundle them."""
    spec = FeatureSpec.from_json(spec_text, names[1])
    model = parse_model(model_raw, names[0])
    check_consistent(spec, model, " + ".join(names[:2]))
    raw = params.get("evaluate")
    evaluate = section_from_mapping(PARAM_SECTIONS["evaluate"], "evaluate", raw, names[2])
    data, contract, policies = input_rules(params, spec, read_text, names[2])
    check_roles_match(spec, data, names)
    if data.contract:  # a contract contradicting params is refused, as validate refuses it
        check_roles(contract, data, data.contract)
    version = model_version(model_raw, rev)
    return Artifacts(spec, model, evaluate.threshold, data, contract, policies, version)


def load_workspace(
    model: Path, features: Path, params: Path = PARAMS_FILE, contract: Path | None = None
) -> Artifacts:
    """The artifacts in the working tree (what `dvc repro` or `dvc pull` left there). The
    contract is `contract` when given, else data.contract, relative to the folder of params.yaml
    (the repository root), so that it is found from any working directory."""
    for path, what in ((model, "model"), (features, "feature spec")):
        require_file(path, f"{what} not found (run `dvc repro` or `dvc pull`)")
    raw, params_map = read_bytes(model), read_params_file(params)
    if contract:  # also when params.yaml names none (data.contract: "")
        data = {**(params_map.get("data") or {}), "contract": str(contract)}
        params_map = {**params_map, "data": data}

    def read_text(path: str) -> str:
        target = contract_location(params, path, contract)
        given = "the contract given" if contract else f"data.contract in {params}"
        require_file(target, f"contract file not found ({given})")
        return read_utf8(target)

    names = (str(model), str(features), str(params))
    return build(read_utf8(features), raw, names, params_map, WORKSPACE, read_text)


def load_revision(model: str, features: str, rev: str, params: str = "params.yaml") -> Artifacts:
    """The artifacts, and the threshold, committed at a git revision or tag."""
    commit = resolve_rev(rev)
    params_map = params_from_text(text_at_rev(params, rev), f"{params}@{rev}")
    spec_text = text_at_rev(features, rev)

    def read_text(path: str) -> str:
        return text_at_rev(path, rev)

    names = (f"{model}@{rev}", f"{features}@{rev}", f"{params}@{rev}")
    return build(spec_text, read_at_rev(model, rev), names, params_map, commit, read_text)


def text_at_rev(path: str, rev: str) -> str:
    """A UTF-8 text file committed at rev; one line naming it when it is not UTF-8."""
    try:
        return read_at_rev(path, rev).decode("utf-8")
    except UnicodeDecodeError as error:
        bad = error.object[error.start : error.start + 1].hex()
        raise ChurnError(f"{path}@{rev}: not UTF-8 text (byte 0x{bad}); save it as UTF-8") from None
