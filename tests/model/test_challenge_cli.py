"""python -m churn.challenge in real git and DVC repositories, on the small model the
behaviour tests train (tests/model/conftest.py)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pandas as pd
import pytest
import yaml

from churn.errors import ChurnError
from churn.report_challenge import check_challenge
from tests.fork_server import run_module
from tests.helpers import REPO, copy_tree, repo_env


@pytest.fixture(scope="module")
def first_template(trained, tmp_path_factory):
    """A git and DVC repository whose only commit has no model (the first retraining), with the
    trained model, feature spec, params and contract in place, untracked."""
    root = tmp_path_factory.mktemp("first")
    (root / "models").mkdir()
    for name in ("model.json", "features.json"):
        shutil.copy(trained.root / name, root / "models" / name)
    shutil.copytree(REPO / "contracts", root / "contracts")
    params = yaml.safe_load((trained.root / "params.yaml").read_text())
    params["data"]["contract"] = "contracts/churn.yaml"  # read at the revision too: in the repo
    (root / "params.yaml").write_text(yaml.safe_dump(params))
    env = repo_env(root)
    for command in (["git", "init", "-q"], ["dvc", "init", "-q"], ["git", "commit", "-qm", "init"]):
        subprocess.run(command, cwd=root, env=env, check=True, capture_output=True)
    return root


@pytest.fixture
def first_repository(first_template, tmp_path):
    """A copy of first_template of the test's own (git init and dvc init once per module)."""
    return copy_tree(first_template, tmp_path / "repo")


def challenge_cli(root, *args: str) -> subprocess.CompletedProcess:
    env = repo_env(root) | {"PYTHONPATH": str(REPO / "src")}
    command = [sys.executable, "-m", "churn.challenge", "--base", "HEAD", *args]
    return run_module(command, cwd=root, env=env)


def test_a_base_without_a_model_passes_as_the_first_model(first_repository):
    result = challenge_cli(first_repository)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("no champion: `HEAD` has no model")
    written = json.loads((first_repository / "report/challenge.json").read_text())
    assert written["versions"]["challenger"].startswith("workspace+md5:")
    assert "rows" not in written


def test_an_unknown_base_is_one_line_and_exit_2(first_repository):
    result = challenge_cli(first_repository, "--base", "no-such-branch")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "no-such-branch" in result.stderr


def test_an_unwritable_result_file_is_one_line_and_exit_2(first_repository):
    (first_repository / "taken").write_text("a file, not a folder")
    result = challenge_cli(first_repository, "--out", "taken/challenge.json")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith(
        "churn.challenge: error: taken/challenge.json: cannot be written"
    )


@pytest.fixture
def committed_repository(first_repository):
    """first_repository with the model committed (in git: dvc.api reads it at HEAD as well)."""
    env = repo_env(first_repository)
    for command in (["git", "add", "-A"], ["git", "commit", "-qm", "model"]):
        subprocess.run(command, cwd=first_repository, env=env, check=True, capture_output=True)
    return first_repository


def test_the_same_model_on_both_sides_changes_no_metric(trained, committed_repository):
    test = str(trained.root / "split/test.parquet")
    result = challenge_cli(committed_repository, "--test", test)
    assert result.returncode == 0, result.stderr
    written = json.loads((committed_repository / "report/challenge.json").read_text())
    assert written["rows"] == len(pd.read_parquet(test))
    assert all(item["champion"] == item["challenger"] for item in written["metrics"])
    evaluated = json.loads((trained.root / "eval/metrics.json").read_text())["test"]
    assert {item["key"]: item["challenger"] for item in written["metrics"]}["test.roc_auc"] == (
        evaluated["roc_auc"]
    )


def test_test_rows_without_the_label_column_are_one_line_naming_it(trained, committed_repository):
    unlabelled = committed_repository / "unlabelled.parquet"
    trained.test_rows.drop(columns="churned").to_parquet(unlabelled)
    result = challenge_cli(committed_repository, "--test", str(unlabelled))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "column 'churned' (data.target) not found" in result.stderr


def test_a_column_the_champion_needs_missing_names_the_model_and_column(
    trained, committed_repository
):
    short = committed_repository / "short.parquet"
    trained.test_rows.drop(columns="tenure_months").to_parquet(short)
    result = challenge_cli(committed_repository, "--test", str(short))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "(scored with the champion's model)" in result.stderr
    assert "tenure_months" in result.stderr


def test_a_misspelt_tolerance_is_one_line_and_exit_2(trained, committed_repository):
    params = committed_repository / "params.yaml"
    params.write_text(params.read_text().replace("test.roc_auc: 0.01", "test.roc_au: 0.01"))
    test = str(trained.root / "split/test.parquet")
    result = challenge_cli(committed_repository, "--test", test)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith(
        "churn.challenge: error: params.yaml: gate.tolerances.test.roc_au"
    )
    assert "did you mean 'test.roc_auc'?" in result.stderr


def test_the_report_refuses_a_challenge_file_of_a_model_retrained_since(
    trained, committed_repository, monkeypatch
):
    test = str(trained.root / "split/test.parquet")
    assert challenge_cli(committed_repository, "--test", test).returncode == 0
    path = committed_repository / "report/challenge.json"
    monkeypatch.chdir(committed_repository)
    check_challenge(json.loads(path.read_text()), path, "HEAD", None)
    model = committed_repository / "models/model.json"
    model.write_bytes(model.read_bytes() + b" ")  # retrained since
    with pytest.raises(ChurnError, match=r"challenge\.json: not this report's comparison"):
        check_challenge(json.loads(path.read_text()), path, "HEAD", None)


def test_test_rows_without_any_row_are_named_as_empty(trained, committed_repository):
    """It said "holds one class only, {}"."""
    empty = committed_repository / "empty.parquet"
    trained.test_rows.head(0).to_parquet(empty)
    result = challenge_cli(committed_repository, "--test", str(empty))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip() == f"churn.challenge: error: {empty}: no rows to score"


def test_a_workspace_not_reproduced_is_refused_naming_the_stale_stages(committed_repository):
    """After `make next-month` and before `dvc repro` the workspace's model is not the model of
    its data: the comparison would score last month's model as the challenger."""
    (committed_repository / "input.txt").write_text("x\n")
    (committed_repository / "dvc.yaml").write_text(
        "stages:\n  copy:\n    cmd: cp input.txt out.txt\n    deps: [input.txt]\n"
        "    outs: [out.txt]\n"
    )
    result = challenge_cli(committed_repository)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        "churn.challenge: error: the workspace is not reproduced (dvc status: copy out of date): "
        "run `dvc repro` first, so that the challenger is the model of its data, code and params"
    )
