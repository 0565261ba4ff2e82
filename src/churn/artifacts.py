"""The serving artifacts (feature spec, model, threshold) of the workspace or of a git revision."""

from __future__ import annotations

import hashlib
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from churn.errors import ChurnError
from churn.features import FeatureSpec
from churn.model import ChurnModel, feature_names_of, load_model
from churn.params import PARAMS_FILE, read_params_file, section_from_mapping
from churn.params import SECTIONS as PARAM_SECTIONS

WORKSPACE = "workspace"


@dataclass(frozen=True)
class Artifacts:
    """Everything needed to score: features, model, decision threshold, id column, version."""

    spec: FeatureSpec
    model: ChurnModel
    threshold: float
    id_column: str
    version: str


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


def model_from_bytes(raw: bytes, where: str) -> ChurnModel:
    """Load a JSON model from bytes through churn.model.load_model (no pickle)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.json"
        path.write_bytes(raw)
        try:
            return load_model(path)
        except ChurnError as error:
            raise ChurnError(f"{where}: {str(error).split(': ', 1)[-1]}") from error


def read_at_rev(path: str, rev: str) -> bytes:
    """A DVC- or git-tracked file as it was at a git revision (through dvc.api)."""
    import dvc.api  # slow import: only when a revision is asked for

    try:
        return dvc.api.read(path, rev=rev, mode="rb")
    except Exception as error:  # dvc raises many unrelated types for a bad rev or path
        raise ChurnError(
            f"{path}@{rev}: cannot be read ({type(error).__name__}: {error})"
        ) from None


def resolve_rev(rev: str) -> str:
    """The short commit hash a revision (tag, branch, hash) points at."""
    result = subprocess.run(
        ["git", "rev-parse", "--short=10", f"{rev}^{{commit}}"], capture_output=True, text=True
    )
    if result.returncode != 0:
        raise ChurnError(f"--rev {rev}: not a git revision of this repository")
    return result.stdout.strip()


def build(spec_text: str, model_raw: bytes, params: dict, rev: str, where: str) -> Artifacts:
    """Check the pieces against each other and bundle them."""
    spec = FeatureSpec.from_json(spec_text, where)
    model = model_from_bytes(model_raw, where)
    check_consistent(spec, model, where)
    evaluate = section_from_mapping(PARAM_SECTIONS["evaluate"], "evaluate", params.get("evaluate"))
    data = section_from_mapping(PARAM_SECTIONS["data"], "data", params.get("data"))
    return Artifacts(spec, model, evaluate.threshold, data.id, model_version(model_raw, rev))


def load_workspace(model: Path, features: Path, params: Path = PARAMS_FILE) -> Artifacts:
    """The artifacts in the working tree (what `dvc repro` or `dvc pull` left there)."""
    for path, what in ((model, "model"), (features, "feature spec")):
        if not path.is_file():
            raise ChurnError(f"{path}: {what} not found (run `dvc repro` or `dvc pull`)")
    where = f"{model} + {features}"
    raw = model.read_bytes()
    return build(features.read_text("utf-8"), raw, read_params_file(params), WORKSPACE, where)


def load_revision(model: str, features: str, rev: str, params: str = "params.yaml") -> Artifacts:
    """The artifacts, and the threshold, committed at a git revision or tag."""
    commit = resolve_rev(rev)
    params_map = yaml.safe_load(read_at_rev(params, rev)) or {}
    spec_text = read_at_rev(features, rev).decode("utf-8")
    return build(spec_text, read_at_rev(model, rev), params_map, commit, f"{model}@{rev}")
