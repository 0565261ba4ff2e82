"""No stage reads a params key that dvc.yaml does not declare for it: with every other key of
params.yaml changed at once, and every mapping's keys reordered, each stage, run again on the same
inputs, writes the same bytes (an undeclared key that a stage reads would leave its outputs stale,
`dvc status` saying nothing)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
import yaml

from tests.helpers import REPO, run

pytestmark = pytest.mark.pipeline
STAGES = yaml.safe_load((REPO / "dvc.yaml").read_text())["stages"]
# Another valid value for every key of params.yaml (test_every_key_has_another_value_to_try)
OTHER_VALUES = {
    "base.seed": 43,
    **{"generate.customers": 500, "generate.scale": 2, "generate.start_month": "2025-01"},
    **{"generate.months": 3, "generate.video_tutorials_from_month": 2, "generate.seed": 8},
    **{"data.target": "label", "data.positive_label": "Yes", "data.id": "cust"},
    **{"data.timestamp": "when", "data.contract": "", "data.delimiter": ";", "data.decimal": ","},
    **{"ingest.source": "elsewhere", "ingest.files": "*.csv"},
    **{"contract.new_column": "include", "contract.missing_column": "impute"},
    **{"contract.type_change": "quarantine", "contract.max_quarantined": 0.9},
    **{"split.valid_size": 0.3, "split.test_size": 0.3, "featurize.min_category_count": 5},
    **{"train.model": "logistic_regression", "train.n_estimators": 10, "train.max_depth": 2},
    **{"train.learning_rate": 0.3, "train.min_child_weight": 1, "train.subsample": 0.5},
    **{"train.colsample_bytree": 0.5, "train.reg_lambda": 3.0, "train.early_stopping_rounds": 3},
    **{"train.balance_classes": False, "train.nthread": 2, "train.monotone_increasing": []},
    **{"train.logreg_c": 3.0, "evaluate.threshold": 0.5, "evaluate.top_fraction": 0.3},
    **{"evaluate.slices": {"short": "tenure_months < 5"}, "gate.headline": "test.pr_auc"},
    **{"gate.tolerances": {"test.roc_auc": 0.5}, "drift.min_rows": 100, "drift.p_value": 0.2},
    **{"drift.small_sample_rows": 50000, "drift.psi": 0.01, "drift.wasserstein": 0.01},
    **{"drift.js": 0.01, "drift.unseen_share": 0.5, "drift.missing_rate_change": 0.5},
    **{"drift.share_drifted": 0.5, "drift.weighted": 0.5},
}


def test_every_key_has_another_value_to_try():
    """A key added to params.yaml gets a value here, so that the stages are tried with it."""
    params = yaml.safe_load((REPO / "params.yaml").read_text())
    keys = {f"{section}.{key}" for section, fields in params.items() for key in fields}
    assert keys == set(OTHER_VALUES)


def undeclared_changed(params: dict, declared: list[str]) -> dict:
    """params with every key the stage does not declare (alone or by its section) changed."""
    changed = {section: dict(fields) for section, fields in params.items()}
    for dotted, value in OTHER_VALUES.items():
        if not any(dotted == entry or dotted.startswith(f"{entry}.") for entry in declared):
            section, key = dotted.split(".")
            changed[section][key] = value
    return changed


def output_digests(root: Path, stage: dict) -> dict[str, str]:
    """md5 of every file the stage's outputs hold."""
    digests = {}
    for out in (entry if isinstance(entry, str) else next(iter(entry)) for entry in stage["outs"]):
        path = root / out
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        digests |= {
            str(f.relative_to(root)): hashlib.md5(f.read_bytes()).hexdigest() for f in files
        }
    return digests


def stage_command(stage: dict, params: dict) -> str:
    """The stage's command with ${section.key} filled in as DVC fills it from params."""
    return re.sub(
        r"\$\{(\w+)\.(\w+)\}", lambda m: str(params[m.group(1)][m.group(2)]), stage["cmd"]
    )


@pytest.mark.parametrize("name", list(STAGES))
def test_a_stage_writes_the_same_bytes_whatever_the_keys_it_does_not_declare(
    scratch_repo: Path, name: str
):
    stage, path = STAGES[name], scratch_repo / "params.yaml"
    params = yaml.safe_load(path.read_text())
    before = output_digests(scratch_repo, stage)
    # keys sorted as well: DVC ignores the order of a mapping, so no output may depend on it
    changed = undeclared_changed(params, stage.get("params", []))
    path.write_text(yaml.safe_dump(changed, sort_keys=True))
    run(scratch_repo, "sh", "-c", stage_command(stage, params))  # a failure is a read too
    assert output_digests(scratch_repo, stage) == before
