"""The real dvc CLI on a git copy of this repository: reproduction, staleness, experiments."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.helpers import REPO, commit_all, copy_repository, repo_env, run, set_params, stages_run
from tests.model.server import start_server

pytestmark = pytest.mark.pipeline
JSON = {"content-type": "application/json"}
ALL_STAGES = [
    *["generate", "ingest", "validate", "split", "featurize", "train", "evaluate", "drift", "score"]
]


@pytest.mark.slow
def test_committed_lock_is_what_the_committed_code_produces(tmp_path):
    """A fresh copy at default size, every stage forced, reproduces the committed dvc.lock and
    every committed metrics and plot file byte for byte, and the API serving its model answers
    the README's curl example with exactly the response the README shows."""
    root = copy_repository(tmp_path / "repo")
    committed = (root / "dvc.lock").read_text()
    result = run(root, "dvc", "repro", "-f")
    assert stages_run(result.stdout) == ALL_STAGES
    assert (root / "dvc.lock").read_text() == committed
    assert "up to date" in run(root, "dvc", "status").stdout
    changed = run(root, "git", "status", "--porcelain", "--untracked-files=no").stdout
    assert changed == "", changed
    for name in ("train/metrics.json", "evaluate/metrics.json"):
        assert (root / "metrics" / name).read_bytes() == (REPO / "metrics" / name).read_bytes()
    request, response = readme_predict_example()
    for url in start_server(repo_env(root), root):
        answer = httpx.post(f"{url}/predict", content=request, headers=JSON, timeout=30)
    assert (answer.status_code, answer.text) == (200, response)


def readme_predict_example() -> tuple[str, str]:
    """The JSON body of the README's curl example for /predict, and the response shown below it
    (docker/smoke.sh reads the same pair to check the image)."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    found = re.search(r"curl -s -X POST \S+/predict .*? -d '(.*)'\n```\n```json\n(.*)\n```", text)
    assert found, "README.md: no curl example for /predict followed by its response"
    return found.group(1), found.group(2)


def test_small_pipeline_produces_every_artifact(small_repo: Path):
    for path in (
        "data/raw/snapshot_2026-06.csv",
        "data/interim/customers.parquet",
        "data/interim/validated.parquet",
        "data/interim/quarantine.parquet",
        "metrics/validation.json",
        "metrics/schema.json",
        "data/interim/split/test.parquet",
        "data/processed/train.parquet",
        "models/features.json",
        "models/model.json",
        "models/contract.yaml",
        "metrics/evaluate/plots/custom/roc.json",
        "data/scores/scores.parquet",
        "metrics/score.json",
    ):
        assert (small_repo / path).is_file(), path
    scores = json.loads((small_repo / "metrics/evaluate/metrics.json").read_text())["test"]
    assert 0.7 < scores["roc_auc"] < 0.95
    assert "up to date" in run(small_repo, "dvc", "status").stdout


CHANGES = {
    "README edit": ({}, "README.md", []),
    "evaluate param": ({"evaluate.threshold": 0.4}, None, ["evaluate", "score"]),
    "train param": ({"train.max_depth": 3}, None, ["train", "evaluate", "drift", "score"]),
    "featurize param": (
        {"featurize.min_category_count": 500},
        None,
        ["featurize", "train", "evaluate", "drift", "score"],
    ),
    "split param": (
        {"split.valid_size": 0.3},
        None,
        ["split", "featurize", "train", "evaluate", "drift", "score"],
    ),
    "generate param": ({"generate.seed": 8}, None, ALL_STAGES),
    "contract file comment": ({}, "contracts/churn.yaml", ["validate", "score"]),
    # contract.new_column: include reruns validate -> score: test_contract_pipeline.py's
    # test_include_policy_trains_on_the_new_column makes the same change and checks the same
    # stages (and what they wrote); a row here ran that reproduction a second time
    # drift checks rows with validate's code (by the contract it applied, models/contract.yaml)
    "validation code": ({}, "src/churn/validation.py", ["validate", "drift", "score"]),
    "evaluate code": ({}, "src/churn/evaluate.py", ["evaluate"]),
    "train code": ({}, "src/churn/train.py", ["train"]),  # same model: nothing downstream
    "shared model code": ({}, "src/churn/model.py", ["train", "evaluate", "drift", "score"]),
    "scoring code": ({}, "src/churn/predict.py", ["score"]),
    "drift param": ({"drift.psi": 0.3}, None, ["drift"]),
    # validate and score read Parquet: the CSV format is ingest's alone (same files, same table)
    "CSV delimiter param": ({"data.delimiter": ","}, None, ["ingest"]),
    "files glob param": ({"ingest.files": "*.csv"}, None, ["ingest"]),
    # score drops the label unread; drift leaves out the rows validate quarantines for their label
    "positive label spelling": ({"data.positive_label": "1"}, None, ["validate", "drift"]),
    # drift leaves out the rows validate quarantines under it
    "type-change policy": (
        {"contract.type_change": "quarantine"},
        None,
        ["validate", "drift", "score"],
    ),
    "other evaluate param": ({"evaluate.top_fraction": 0.2}, None, ["evaluate"]),
    "seed": (
        {"base.seed": 43},
        None,
        ["split", "featurize", "train", "evaluate", "drift", "score"],
    ),
    # the same model bytes on any number of threads (the fixture trains on 1)
    "thread count": ({"train.nthread": 2}, None, ["train"]),
    "gate param": ({"gate.headline": "test.pr_auc"}, None, []),
    "params.yaml comment": ({}, "params.yaml", []),
}


@pytest.mark.parametrize("change", list(CHANGES), ids=list(CHANGES))
def test_a_change_reruns_exactly_the_stages_it_can_affect(scratch_repo: Path, change: str):
    params, touched_file, expected = CHANGES[change]
    if params:
        set_params(scratch_repo, **params)
    if touched_file:
        with (scratch_repo / touched_file).open("a") as handle:
            handle.write("\n# touched by the staleness test\n")
    assert stages_run(run(scratch_repo, "dvc", "repro").stdout) == expected


def test_scoring_is_not_stale_for_params_it_never_reads(scratch_repo: Path):
    """Scoring checks the model's columns as under contract.new_column: include whatever the
    policy says, drops the label unread (data.positive_label) and reads Parquet (data.decimal):
    none of them may make it stale (any of them did, as it declared all of data and contract)."""
    set_params(
        scratch_repo,
        **{"contract.new_column": "fail", "data.positive_label": "Yes", "data.decimal": ","},
    )
    status = json.loads(run(scratch_repo, "dvc", "status", "--json", "score").stdout)
    assert status == {}, status


def test_a_change_to_the_test_month_alone_does_not_retrain(scratch_repo: Path, tmp_path: Path):
    """train reads the training and validation matrices only, evaluate the test split only: a
    newest month delivered again with one value corrected reran train too, as train depended on
    all of data/processed, to write the same model."""
    source = tmp_path / "exports"
    shutil.copytree(scratch_repo / "data/raw", source)
    set_params(scratch_repo, **{"ingest.source": str(source)})
    run(scratch_repo, "dvc", "repro")
    newest = max(source.glob("*.csv"))
    header, first, *rest = newest.read_text().splitlines(keepends=True)
    fields = first.split(",")
    tenure = header.split(",").index("tenure_months")
    fields[tenure] = str(int(fields[tenure]) + 1)
    newest.write_text("".join([header, ",".join(fields), *rest]))
    ran = stages_run(run(scratch_repo, "dvc", "repro").stdout)
    assert ran == ["ingest", "validate", "split", "featurize", "evaluate", "drift", "score"]


def test_forced_reproduction_leaves_the_lock_byte_identical(scratch_repo: Path):
    """The fixture reproduced the pipeline once; forcing every stage again changes no byte."""
    before = (scratch_repo / "dvc.lock").read_bytes()
    assert stages_run(run(scratch_repo, "dvc", "repro", "-f").stdout) == ALL_STAGES
    assert (scratch_repo / "dvc.lock").read_bytes() == before


def test_logistic_regression_is_selectable(scratch_repo: Path):
    set_params(scratch_repo, **{"train.model": "logistic_regression"})
    ran = stages_run(run(scratch_repo, "dvc", "repro").stdout)
    assert ran == ["train", "evaluate", "drift", "score"]
    model = json.loads((scratch_repo / "models/model.json").read_text())
    assert model["kind"] == "churn-logistic-regression"
    auc = json.loads((scratch_repo / "metrics/evaluate/metrics.json").read_text())["test"]
    assert auc["roc_auc"] > 0.7


def test_experiment_run_and_show(scratch_repo: Path):
    """An evaluate param: the experiment reruns evaluate alone (a train param reran train, drift
    and score as well, three times the CPU; experiments that train: test_sweep.py)."""
    run(scratch_repo, "dvc", "exp", "run", "-S", "evaluate.top_fraction=0.2", "-n", "top-fifth")
    shown = json.loads(run(scratch_repo, "dvc", "exp", "show", "--json").stdout)
    experiments = [exp for commit in shown for exp in (commit.get("experiments") or [])]
    names = {exp["name"] for exp in experiments}
    assert "top-fifth" in names
    table = run(scratch_repo, "dvc", "exp", "show", "--csv").stdout
    columns = table.splitlines()[0].split(",")  # whole names (gate.tolerances.test.roc_auc)
    assert {"evaluate.top_fraction", "train.max_depth", "test.roc_auc"} <= set(columns), columns
    # README's command, in an 80-column terminal: every column it keeps, none cut to `…`
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    command = shlex.split(re.search(r"^dvc exp show .*$", readme, re.MULTILINE).group(0))
    env = {**repo_env(scratch_repo), "COLUMNS": "80"}
    shown = subprocess.run(
        [*command, "--no-pager"],
        cwd=scratch_repo,
        env=env,
        text=True,
        capture_output=True,
        check=True,
    ).stdout
    header = shown.splitlines()[0]
    for column in ("test.roc_auc", "test.pr_auc", "test.log_loss", "train.max_depth"):
        assert column in header, shown
    assert "…" not in shown and "top-fifth" in shown, shown


def test_the_id_setting_makes_ingest_stale(scratch_repo: Path):
    """ingest reads the id column verbatim (leading zeros kept): data.id is its dependency."""
    set_params(scratch_repo, **{"data.id": "cust"})
    status = run(scratch_repo, "dvc", "status", "ingest").stdout
    assert "modified:" in status and "data.id" in status, status


def test_a_queued_experiment_runs_the_code_it_was_queued_with(scratch_repo: Path):
    """Queued experiments run in a temporary copy of their commit: the stages must import that
    copy's src/, not the workspace's (which has moved on by the time the queue runs)."""
    evaluate = scratch_repo / "src/churn/evaluate.py"
    original = evaluate.read_text()
    evaluate.write_text(original + '\nprint("code-of-the-queued-experiment")\n')
    run(scratch_repo, "dvc", "exp", "run", "--queue", "-n", "queued-code")
    evaluate.write_text(original)
    run(scratch_repo, "dvc", "exp", "run", "--run-all", "-j", "1")
    logs = run(scratch_repo, "dvc", "queue", "logs", "queued-code").stdout
    assert "Running stage 'evaluate'" in logs
    assert "code-of-the-queued-experiment" in logs


def test_bad_params_fail_with_one_clear_line(scratch_repo: Path):
    set_params(scratch_repo, **{"train.model": "forest"})
    result = run(scratch_repo, "dvc", "repro", check=False)
    assert result.returncode != 0
    expected = "key 'train.model' should be xgboost or logistic_regression, got 'forest'"
    assert f"churn.train: error: params.yaml: {expected}" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_pointing_ingest_at_other_data_is_a_params_change(scratch_repo: Path, tmp_path: Path):
    """Yes/No labels in one CSV file elsewhere on disk: only params change."""
    import pandas as pd

    raw = pd.concat(pd.read_csv(path) for path in sorted((scratch_repo / "data/raw").glob("*.csv")))
    other = tmp_path / "export.csv"
    raw.assign(churned=raw["churned"].map({1: "Yes", 0: "No"})).to_csv(other, index=False)
    set_params(scratch_repo, **{"ingest.source": str(other), "data.positive_label": "Yes"})
    ran = stages_run(run(scratch_repo, "dvc", "repro").stdout)
    assert ran[:2] == ["generate", "ingest"] or ran[0] == "ingest"
    metrics = json.loads((scratch_repo / "metrics/evaluate/metrics.json").read_text())
    assert metrics["test"]["roc_auc"] > 0.7
    commit_all(scratch_repo, "own data")
