"""dvc.yaml's commands as DVC renders them: a templated path (ingest.source, data.contract) stays
one argument when it holds a space."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess

import pandas as pd
import yaml
from dvc.repo import Repo

from tests.helpers import REPO, repo_env

STAGES = yaml.safe_load((REPO / "dvc.yaml").read_text())["stages"]
TEMPLATE = re.compile(r"\$\{[^}]+\}")


def rendered_commands(root, **changes) -> dict[str, str]:
    """Each stage's command as DVC renders it from dvc.yaml and params.yaml with the changed
    keys ("section.key": value)."""
    params = yaml.safe_load((REPO / "params.yaml").read_text())
    for key, value in changes.items():
        section, _, field = key.partition(".")
        params[section][field] = value
    (root / "params.yaml").write_text(yaml.safe_dump(params))
    shutil.copy(REPO / "dvc.yaml", root / "dvc.yaml")
    Repo.init(root, no_scm=True)
    return {stage.name: stage.cmd for stage in Repo(root).index.stages}


def test_every_templated_value_in_a_command_is_single_quoted():
    for name, stage in STAGES.items():
        for template in TEMPLATE.finditer(stage["cmd"]):
            quoted = stage["cmd"][template.start() - 1] + stage["cmd"][template.end()]
            assert quoted == "''", f"{name}: {template.group()} is not in single quotes"


def test_a_source_and_a_contract_with_spaces_are_one_argument_each(tmp_path):
    commands = rendered_commands(
        tmp_path, **{"ingest.source": "/tmp/own/my exports/", "data.contract": "my contract.yaml"}
    )
    ingest, validate = shlex.split(commands["ingest"]), shlex.split(commands["validate"])
    assert ingest[ingest.index("--source") + 1] == "/tmp/own/my exports/"
    assert "--contract=my contract.yaml" in validate


def test_the_rendered_ingest_command_reads_a_folder_with_a_space(tmp_path):
    source = tmp_path / "my exports"
    source.mkdir()
    pd.DataFrame({"customer_id": ["007"], "churned": [1]}).to_csv(source / "a.csv", index=False)
    command = rendered_commands(tmp_path, **{"ingest.source": str(source)})["ingest"]
    (tmp_path / "src").symlink_to(REPO / "src")
    result = subprocess.run(
        command, shell=True, cwd=tmp_path, env=repo_env(tmp_path), capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    out = pd.read_parquet(tmp_path / "data/interim/customers.parquet")
    assert out["customer_id"].tolist() == ["007"]
