"""The serving artifacts (feature spec, model, threshold) of the workspace or of a git revision."""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from churn.applied_contract import APPLIED_CONTRACT, read_applied_contract
from churn.contract_roles import check_roles
from churn.contract_spec import Contract
from churn.data_params import DataParams, Policies, contract_location
from churn.errors import ChurnError, read_bytes, require_file
from churn.errors import read_text as read_utf8
from churn.features import FeatureSpec
from churn.model import ChurnModel, feature_names_of, parse_model
from churn.model_inputs import check_scoring_contract
from churn.params import PARAMS_FILE, params_from_text, read_params_file
from churn.params import SECTIONS as PARAM_SECTIONS
from churn.revision_files import exists_at_rev, read_at_rev, resolve_rev
from churn.spec_contract import contract_from_spec
from churn.typed_sections import field_defaults, section_from_mapping

WORKSPACE = "workspace"
OLDER_REVISION = (
    "not there (a revision made before validate wrote the contract it applied): with "
    "data.contract empty, its records are checked by rules derived from its feature spec, "
    "as it scored them then (no ranges, nulls allowed): looser than the contract it trained on"
)


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


Applied = Callable[[FeatureSpec, DataParams], Contract]  # the contract validate applied


def input_rules(
    params: dict, spec: FeatureSpec, names: tuple[str, str, str], read_text, applied: Applied
) -> tuple[DataParams, Contract, Policies]:
    """data params (checked against the spec's roles), the contract (the file data.contract
    names, else the one validate applied: applied(spec, data)) and the contract policies; errors
    name the files (see build)."""
    # an older revision's params.yaml may lack keys added since: they take their defaults
    data_raw = field_defaults(DataParams) | (params.get("data") or {})
    data = section_from_mapping(DataParams, "data", data_raw, names[2])
    policies_raw = field_defaults(Policies) | (params.get("contract") or {})
    policies = section_from_mapping(Policies, "contract", policies_raw, names[2])
    check_roles_match(spec, data, names)
    if data.contract:
        contract = Contract.from_yaml(read_text(data.contract), data.contract)
        check_scoring_contract(contract, data, spec, policies, data.contract)
    else:
        contract = applied(spec, data)
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
    texts: tuple[str, bytes], names: tuple[str, str, str], params: dict, rev: str, readers
) -> Artifacts:
    """Check the pieces (texts: feature spec, model) against each other (errors name them: names
    = model, feature spec, params file) and bundle them; readers: (read_text, applied) of
    input_rules."""
    spec = FeatureSpec.from_json(texts[0], names[1])
    model = parse_model(texts[1], names[0])
    check_consistent(spec, model, " + ".join(names[:2]))
    raw = params.get("evaluate")
    evaluate = section_from_mapping(PARAM_SECTIONS["evaluate"], "evaluate", raw, names[2])
    data, contract, policies = input_rules(params, spec, names, *readers)
    version = model_version(texts[1], rev)
    return Artifacts(spec, model, evaluate.threshold, data, contract, policies, version)


def applied_in_workspace(path: Path | str) -> Applied:
    """The applied reader of the working tree: validate's contract at path (see
    churn.applied_contract), refused with one line when it is not there."""

    def applied(spec: FeatureSpec, data: DataParams) -> Contract:
        contract = read_applied_contract(path)
        check_roles(contract, data, str(path), model=(spec.numeric, spec.categorical))
        return contract

    return applied


def applied_at_rev(path: str, rev: str) -> Applied:
    """The applied reader of a revision: validate's contract as committed at rev; a revision
    made before validate wrote it is scored, as it was then, by rules derived from its feature
    spec, with a warning naming what they let through."""

    def applied(spec: FeatureSpec, data: DataParams) -> Contract:
        if not exists_at_rev(path, rev):
            print(f"warning: {path}@{rev}: {OLDER_REVISION}", file=sys.stderr)
            return contract_from_spec(spec, data.id)
        contract = Contract.from_yaml(text_at_rev(path, rev), f"{path}@{rev}")
        check_roles(contract, data, f"{path}@{rev}", model=(spec.numeric, spec.categorical))
        return contract

    return applied


def load_workspace(
    model: Path,
    features: Path,
    params: Path = PARAMS_FILE,
    contract: Path | None = None,
    applied: Path = Path(APPLIED_CONTRACT),
) -> Artifacts:
    """The artifacts in the working tree (what `dvc repro` or `dvc pull` left there). The
    contract is `contract` when given, else data.contract, relative to the folder of params.yaml
    (the repository root), so that it is found from any working directory; with neither, the
    one validate applied (at applied)."""
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
    readers = (read_text, applied_in_workspace(applied))
    return build((read_utf8(features), raw), names, params_map, WORKSPACE, readers)


def load_revision(
    model: str, features: str, rev: str, params: str = "params.yaml", applied=APPLIED_CONTRACT
) -> Artifacts:
    """The artifacts, and the threshold, committed at a git revision or tag (the contract:
    data.contract's file, else the one validate applied, at applied)."""
    commit = resolve_rev(rev)
    params_map = params_from_text(text_at_rev(params, rev), f"{params}@{rev}")
    spec_text = text_at_rev(features, rev)

    def read_text(path: str) -> str:
        return text_at_rev(path, rev)

    names = (f"{model}@{rev}", f"{features}@{rev}", f"{params}@{rev}")
    texts, readers = (spec_text, read_at_rev(model, rev)), (read_text, applied_at_rev(applied, rev))
    return build(texts, names, params_map, commit, readers)


def text_at_rev(path: str, rev: str) -> str:
    """A UTF-8 text file committed at rev; one line naming it when it is not UTF-8."""
    try:
        return read_at_rev(path, rev).decode("utf-8")
    except UnicodeDecodeError as error:
        bad = error.object[error.start : error.start + 1].hex()
        raise ChurnError(f"{path}@{rev}: not UTF-8 text (byte 0x{bad}); save it as UTF-8") from None
