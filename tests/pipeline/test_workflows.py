"""The pull-request and retrain workflows, run step by step in temporary git repositories.

A copy of the repository gets a commit on `main` and a branch that changes a train param; the
pipeline runs on both through the real dvc CLI; then the workflows' own `run:` steps execute in
order (CML posting excluded). Set CHURN_UPDATE_REPORT_EXAMPLE=1 to refresh docs/report-example/.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
import yaml
from sklearn.metrics import roc_auc_score

from churn.report_markdown import without_images
from tests.helpers import REPO, built_once, commit_all, copy_tree, repo_env, run, set_params
from tests.workflow_runner import StepResult, run_workflow

# slow: the workflow runs behind these tests are the longest fixtures; they start first
pytestmark = [pytest.mark.pipeline, pytest.mark.slow]
PNG = b"\x89PNG\r\n\x1a\n"
IMAGES = ("roc.png", "precision_recall.png", "calibration.png", "confusion.png")


def clone(small_repo: Path, dest: Path) -> Path:
    """A clone of the small reproduced repository (so origin/main exists) with its DVC cache."""
    run(dest.parent, "git", "clone", "-q", str(small_repo), str(dest))
    shutil.copytree(small_repo / ".dvc" / "cache", dest / ".dvc" / "cache")
    run(dest, "dvc", "checkout", "-q")
    return dest


def workflow_run(factory, worker_id: str, name: str, build: Callable[[Path], list[StepResult]]):
    """build's workflow run, once per test session (built_once); the tests of each worker get a
    copy: the repository as the workflow left it, the summary page, and the steps' results."""
    folder, results = built_once(factory, worker_id, name, build)
    copy = copy_tree(folder, factory.mktemp(name) / "run")
    return copy / "repo", copy / "summary.md", results


@pytest.fixture(scope="module")
def pr_run(small_repo: Path, tmp_path_factory, worker_id: str):
    """A branch with shallower trees, reproduced and committed, then pr-report.yml's steps."""

    def build(folder: Path) -> list[StepResult]:
        root = clone(small_repo, folder / "repo")
        run(root, "git", "checkout", "-q", "-b", "shallower-trees")
        set_params(root, **{"train.max_depth": 2})
        run(root, "dvc", "repro")
        commit_all(root, "shallower trees")
        return run_workflow("pr-report.yml", root, folder / "summary.md")

    return workflow_run(tmp_path_factory, worker_id, "pr", build)


def test_pr_report_steps_run_in_order(pr_run):
    root, summary, results = pr_run
    statuses = [(result.name, result.status, result.returncode) for result in results]
    ran = [name for name, status, _ in statuses if status == "ran"]
    assert ran[:5] == [
        "Install",
        "Pull cached data and models (skipped without remote credentials, e.g. on forks)",
        "Reproduce the pipeline",
        "Build the report against the base branch",
        "Show the report on the run's summary page",
    ]
    assert [s for _, s, _ in statuses if s.startswith("skipped")] == ["skipped-uses"] * 3 + [
        "skipped-posting"
    ]
    assert "skipping dvc pull" in results[4].output
    report = (root / "report" / "report.md").read_text()
    # the summary page shows no images: each is named instead of a broken image
    assert summary.read_text() == without_images(report) and "![" not in summary.read_text()
    assert "![" in report
    gate = results[-1]
    assert gate.name.startswith("Quality gate") and gate.status == "ran"
    if "**Verdict:** ⚠" in report:  # make turns churn.gate's exit 1 into its own 2
        assert gate.returncode != 0 and "gate] Error 1" in gate.output, gate.output
    else:
        assert gate.returncode == 0, gate.output


def table_row(report: str, key: str) -> list[str]:
    line = next(line for line in report.splitlines() if line.startswith(f"| {key} |"))
    return [cell.strip() for cell in line.strip("|").split("|")]


def test_report_shows_changed_param_metrics_with_signs_and_plots(pr_run):
    root, _, _ = pr_run
    report = (root / "report" / "report.md").read_text()
    assert table_row(report, "train.max_depth") == ["train.max_depth", "4", "2"]
    base = json.loads(run(root, "git", "show", "origin/main:metrics/evaluate/metrics.json").stdout)
    new = json.loads((root / "metrics/evaluate/metrics.json").read_text())
    for name, higher_is_better in (("roc_auc", True), ("pr_auc", True), ("log_loss", False)):
        old_value, new_value = base["test"][name], new["test"][name]
        _, shown_base, shown_new, change, _, verdict = table_row(report, f"test.{name}")
        assert (float(shown_base), float(shown_new)) == pytest.approx(
            (old_value, new_value), abs=1e-4
        )
        assert change[0] == ("+" if new_value >= old_value else "-")
        better = (new_value > old_value) == higher_is_better
        assert verdict == ("✅ better" if better else "❌ worse"), name
    for image in IMAGES:
        assert f"]({image})" in report
        assert (root / "report" / image).read_bytes().startswith(PNG)
    for section in ("## Data", "### Validation", "### Schema changes", "### Drift"):
        assert section in report  # the validate and drift stages' files are on both branches
    assert "## Not available" not in report
    metric_files = re.findall(r"^`(metrics/[^`]+)`$", report.split("## Params changed")[0], re.M)
    assert "metrics/drift.json" not in metric_files  # its ~100 statistics: the Drift section
    assert "metrics/evaluate/metrics.json" in metric_files
    if os.environ.get("CHURN_UPDATE_REPORT_EXAMPLE"):
        shutil.rmtree(REPO / "docs" / "report-example", ignore_errors=True)
        summary = shutil.ignore_patterns("summary.md")  # the run page's copy, not the example
        shutil.copytree(root / "report", REPO / "docs" / "report-example", ignore=summary)


def commit_without_metrics(root: Path, parent: str) -> str:
    """A commit on top of `parent` whose tree lacks metrics/ (a base before the first metrics)."""
    env = repo_env(root) | {"GIT_INDEX_FILE": str(root.parent / "bare-index")}

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    git("read-tree", parent)
    git("rm", "-r", "-q", "-f", "--cached", "metrics")
    return git("commit-tree", git("write-tree"), "-p", parent, "-m", "no metrics yet")


def test_report_and_gate_against_a_base_without_metrics_or_plots(pr_run, tmp_path):
    root, _, _ = pr_run
    bare = commit_without_metrics(root, "origin/main")
    out = tmp_path / "report"
    run(root, "python", "-m", "churn.report", "--base", bare, "--out-dir", str(out))
    report = (out / "report.md").read_text()
    assert f"first report: the base `{bare}` has no metrics to compare against" in report
    assert "| test.roc_auc | — |" in report and "new metric" in report
    assert "ROC curve (test): `metrics/evaluate/plots/custom/roc.json` missing in base" in report
    assert "Confusion matrix: no `confusion` counts in base" in report
    for image in IMAGES:
        assert (out / image).read_bytes().startswith(PNG)
    gate = run(root, "python", "-m", "churn.gate", "--base", bare)
    assert "first report" in gate.stdout


def test_report_fails_cleanly_on_an_unknown_base(pr_run, tmp_path):
    root, _, _ = pr_run
    result = run(root, "python", "-m", "churn.report", "--base", "nope", check=False)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "churn.report: error: unknown git revision 'nope': "
        "fetch it first (actions/checkout with fetch-depth: 0)"
    )


# Thresholds no difference between months stays under: the next month drifts for certain, so
# the retraining path runs (at the tests' small scale the real thresholds might stop at the check)
HAIR_TRIGGER = {"drift.psi": 1e-6, "drift.wasserstein": 1e-6, "drift.js": 1e-6}


@pytest.fixture(scope="module")
def retrain_run(small_repo: Path, tmp_path_factory, worker_id: str):
    """retrain.yml's steps on a clone of main whose drift policy fires on any difference."""

    def build(folder: Path) -> list[StepResult]:
        root = clone(small_repo, folder / "repo")
        set_params(root, **HAIR_TRIGGER)
        commit_all(root, "drift: hair-trigger thresholds")
        return run_workflow("retrain.yml", root, folder / "summary.md", {})

    return workflow_run(tmp_path_factory, worker_id, "retrain", build)


CHALLENGE_STEP = (
    "Champion against challenger on the newest month (main's model and the retrained one)"
)


def test_retrain_brings_in_the_next_month_and_decides(retrain_run):
    root, summary, _ = retrain_run
    assert yaml.safe_load((root / "params.yaml").read_text())["generate"]["months"] == 7
    assert (root / "data/raw/snapshot_2026-07.csv").is_file()
    decision = re.search(r"^Retrain: (yes|no), drift check: ", summary.read_text(), re.M)
    assert decision, summary.read_text()
    assert decision.group(1) == "yes", summary.read_text()  # the hair-trigger thresholds
    # the newest month against the current model's latest training month, as the drift stage
    checked = json.loads((root / "report/drift-check.json").read_text())
    assert checked["reference_snapshots"] == ["2026-05"]  # its latest training month
    assert checked["current_snapshots"] == ["2026-07"]


def test_retrain_when_warranted_retrains_gates_and_reports(retrain_run):
    root, summary, results = retrain_run
    by_name = {result.name: result for result in results}
    assert by_name["Retrain"].returncode == 0, by_name["Retrain"].output
    assert "Running stage 'train'" in by_name["Retrain"].output
    gate = by_name[CHALLENGE_STEP]
    if gate.returncode == 0:
        assert "no metric worse than its tolerance" in gate.output
        assert by_name["Build the report against main"].returncode == 0
        assert "skipping dvc push" in by_name["Push data and model to the DVC remote"].output
        report = (root / "report/report.md").read_text()
        assert "| generate.months | 6 | 7 |" in report
        assert "## Champion and challenger on the same rows" in report
        # the verdict is the challenge's: both models on the same rows
        challenge_verdict = json.loads((root / "report/challenge.json").read_text())["verdict"]
        assert f"**Verdict:** {challenge_verdict}\n" in report
    else:  # the report still says why on the summary page; nothing is pushed or proposed
        assert "challenge] Error 1" in gate.output and "\n⚠ challenger worse" in gate.output
        assert by_name["Build the report against main"].returncode == 0
        assert by_name["Push data and model to the DVC remote"].status == "not-reached"
    assert by_name["Show the report on the run's summary page"].returncode == 0
    assert "## Champion and challenger on the same rows" in summary.read_text()
    assert by_name["Open the retraining pull request (CML)"].status in (
        "skipped-posting",
        "not-reached",
    )


def test_retrain_scores_main_model_and_the_retrained_one_on_the_same_newest_month(retrain_run):
    """The challenge compares both models on July's test rows (churn.gate compared main's June
    metrics with the retrained model's July metrics): the challenger's figures are what evaluate
    recorded, the champion's those of main's model scored by `churn.predict --rev origin/main`."""
    root, _, _ = retrain_run
    written = json.loads((root / "report/challenge.json").read_text())
    test = pd.read_parquet(root / "data/interim/split/test.parquet")
    assert set(test["snapshot_month"].dt.strftime("%Y-%m")) == {"2026-07"}
    assert written["rows"] == len(test) and written["rejected"] == {"champion": 0, "challenger": 0}
    versions = written["versions"]
    assert versions["champion"].split("+")[1] != versions["challenger"].split("+")[1]
    by_key = {item["key"]: item for item in written["metrics"]}
    evaluated = json.loads((root / "metrics/evaluate/metrics.json").read_text())["test"]
    for name in ("roc_auc", "pr_auc", "log_loss", "brier", "f1", "precision_top"):
        assert by_key[f"test.{name}"]["challenger"] == evaluated[name], name
    scored = root.parent / "champion_scores.parquet"
    run(
        root,
        "python",
        "-m",
        "churn.predict",
        "--rev",
        "origin/main",
        "--input",
        "data/interim/split/test.parquet",
        "--output",
        str(scored),
    )
    probability = pd.read_parquet(scored)["churn_probability"].to_numpy()
    champion_auc = roc_auc_score(test["churned"].to_numpy(), probability)
    assert by_key["test.roc_auc"]["champion"] == round(champion_auc, 6)
    assert by_key["test.roc_auc"]["champion"] != by_key["test.roc_auc"]["challenger"]
