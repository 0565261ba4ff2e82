"""The workflow files keep their promises: triggers, least privilege, thin run steps."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.helpers import repo_env
from tests.workflow_runner import (
    WORKFLOWS,
    condition_holds,
    is_posting,
    runs_after_failure,
    workflow_steps,
)

NAMES = ("ci.yml", "pr-report.yml", "retrain.yml")


def make_default(variable: str) -> str:
    """A Makefile variable's default (`NAME ?= value`)."""
    text = (WORKFLOWS.parents[1] / "Makefile").read_text()
    [value] = re.findall(rf"^{variable} \?= (.*)$", text, re.M)
    return value


def load(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text())


@pytest.mark.parametrize("name", NAMES)
def test_every_run_step_is_a_make_target_or_a_cml_posting(name):
    for step in workflow_steps(name):
        if "run" in step:
            target = re.fullmatch(r"make [\w-]+( [A-Z_]+=[\w/.-]+)*", step["run"])
            assert target or is_posting(step), step


@pytest.mark.parametrize("name", NAMES)
def test_checkout_does_not_persist_credentials(name):
    for step in workflow_steps(name):
        if step.get("uses", "").startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False


def test_triggers_and_permissions():
    ci, pr, retrain = (load(name) for name in NAMES)
    assert set(ci[True]) == {"push", "pull_request"}
    assert set(pr[True]) == {"pull_request"}
    assert set(retrain[True]) == {"schedule", "workflow_dispatch"}
    assert pr["jobs"]["report"]["permissions"] == {"contents": "read", "pull-requests": "write"}
    assert retrain["jobs"]["retrain"]["permissions"] == {
        "contents": "write",
        "pull-requests": "write",
    }


def test_no_pull_request_target_and_secrets_only_where_used():
    for name in NAMES:
        text = (WORKFLOWS / name).read_text()
        assert "pull_request_target" not in text
        assert "toJSON(secrets)" not in text


def test_pr_report_reads_main_and_updates_one_comment():
    steps = workflow_steps("pr-report.yml")
    checkout = next(step for step in steps if step.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0
    assert any(step.get("uses") == "iterative/setup-cml@v2" for step in steps)
    [post] = [step for step in steps if is_posting(step)]
    prune, update = post["run"].splitlines()
    assert prune == "make prune-report-comments"  # CML finds its comment among 30 only
    assert update == 'cml comment update --watermark-title="$REPORT_TITLE" report/report.md'
    assert post["env"] == {
        "REPO_TOKEN": "${{ secrets.GITHUB_TOKEN }}",
        "GH_TOKEN": "${{ secrets.GITHUB_TOKEN }}",
        "PR_NUMBER": "${{ github.event.pull_request.number }}",
        "REPORT_TITLE": make_default("REPORT_TITLE"),  # the title make prunes by
    }


def test_retrain_comments_with_an_explicit_target():
    posting = [step["run"] for step in workflow_steps("retrain.yml") if is_posting(step)]
    assert "cml pr create" in posting[0]
    assert '--target="pr/${PR_NUMBER}"' in posting[1]


def test_the_retraining_pull_request_waits_for_a_person_to_merge_it():
    """`cml pr create --merge/--rebase/--squash` asks GitHub to auto-merge the PR and, on a
    branch without protection rules, merges it at once: the retrained model reached main
    before its report was posted or anyone read it."""
    [create] = [
        s["run"] for s in workflow_steps("retrain.yml") if "cml pr create" in s.get("run", "")
    ]
    flags = set(re.findall(r"--[\w-]+", create))
    assert not flags & {"--merge", "--auto-merge", "--rebase", "--squash"}, create


def test_ci_builds_the_image_and_smoke_tests_it_after_reproducing_the_model():
    """GitHub's runners have the Docker engine our machines lack: the image is built there from
    the model `make repro` leaves, and docker/smoke.sh runs it."""
    image = load("ci.yml")["jobs"]["image"]
    assert [step.get("run") for step in image["steps"] if "run" in step] == [
        "make repro",
        "make docker-smoke",
    ]


def test_the_comment_is_posted_only_where_the_token_may_write():
    """A fork's (or Dependabot's) pull request gets a read-only GITHUB_TOKEN: `cml comment`
    failed with 403, the job went red and `make gate` never ran. The step is skipped there;
    the report stays on the summary page, and the gate runs."""
    steps = workflow_steps("pr-report.yml")
    [post] = [step for step in steps if is_posting(step)]
    condition = " ".join(post.get("if", "").split())
    assert "github.event.pull_request.head.repo.full_name == github.repository" in condition
    assert "github.actor != 'dependabot[bot]'" in condition
    names = [step.get("run", "") for step in steps]
    assert names.index("make report-summary") < names.index(post["run"])
    assert names.index("make gate") > names.index(post["run"])


def test_the_report_and_gate_compare_with_the_branch_the_pull_request_goes_into():
    """`make report BASE=origin/main` compared a pull request into another branch with main: its
    params table listed that branch's changes too, and the gate judged them."""
    job = load("pr-report.yml")["jobs"]["report"]
    assert job["env"] == {"BASE": "origin/${{ github.base_ref }}"}
    runs = [step.get("run", "") for step in job["steps"]]
    assert "make report" in runs and "make gate" in runs
    assert not [run for run in runs if "BASE=" in run]


def test_retraining_compares_with_the_branch_its_pull_request_goes_into():
    """`cml pr create` opens its pull request into the branch the run is on, but challenge and
    report compared with `origin/main`: a retraining dispatched from another branch was judged
    against main's model."""
    job = load("retrain.yml")["jobs"]["retrain"]
    assert job["env"] == {"BASE": "origin/${{ github.ref_name }}"}
    runs = [step.get("run", "") for step in job["steps"]]
    assert "make challenge" in runs and "make report CHALLENGE=report/challenge.json" in runs
    assert not [run for run in runs if "BASE=" in run]


@pytest.mark.parametrize("name", ["pr-report.yml", "retrain.yml"])
def test_cml_is_set_up_without_the_vega_tools(name):
    """setup-cml@v2 npm-installs canvas and vega globally unless told not to: native builds
    for plots CML never draws here (the report's PNGs are matplotlib's)."""
    [setup] = [s for s in workflow_steps(name) if s.get("uses") == "iterative/setup-cml@v2"]
    assert setup.get("with", {}).get("vega") is False


def branch_of_retraining(root: Path) -> str:
    """The branch retrain.yml's `cml pr create` step names, computed in the git repository root."""
    [create] = [
        s["run"] for s in workflow_steps("retrain.yml") if "cml pr create" in s.get("run", "")
    ]
    [proposed] = [line for line in create.splitlines() if line.strip().startswith("proposed=")]
    [branch] = re.findall(r'--branch="([^"]*)"', create)
    script = f'{proposed.strip()}\necho "{branch}"'
    done = subprocess.run(["bash", "-c", script], cwd=root, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_retraining_pull_request_branch_is_named_by_main_and_the_files_it_proposes(tmp_path):
    """CML names the branch after main's commit: while main stood still, a later run found an
    earlier run's branch, pushed nothing, and put the new model's report on a PR of the old
    files. A branch per run (`retrain/run-<id>`) then opened the same retraining as a new pull
    request every Monday while nobody merged: the same files now give the same branch (CML
    finds it and its open PR), other files another branch."""
    for command in (["git", "init", "-q"], ["git", "commit", "-q", "--allow-empty", "-m", "main"]):
        subprocess.run(command, cwd=tmp_path, env=repo_env(tmp_path), check=True)
    (tmp_path / "params.yaml").write_text("generate:\n  months: 7\n")
    (tmp_path / "dvc.lock").write_text("stages: {model: abc}\n")
    first = branch_of_retraining(tmp_path)
    head = subprocess.run(
        ["git", "rev-parse", "--short=12", "HEAD"], cwd=tmp_path, text=True, capture_output=True
    ).stdout.strip()
    assert re.fullmatch(rf"retrain/{head}-[0-9a-f]{{12}}", first)
    assert branch_of_retraining(tmp_path) == first  # next Monday, nothing merged: the same PR
    (tmp_path / "dvc.lock").write_text("stages: {model: def}\n")  # another model
    assert branch_of_retraining(tmp_path) not in (first, "")


def test_ci_cancels_superseded_runs_of_pull_requests_only():
    """`cancel-in-progress: true` cancelled main's run of a commit when the next one was pushed:
    a commit on main could end with no test result at all."""
    concurrency = load("ci.yml")["concurrency"]
    assert concurrency["cancel-in-progress"] == "${{ github.event_name == 'pull_request' }}"


def test_a_retrained_model_that_loses_the_challenge_is_reported_but_neither_pushed_nor_proposed(
    tmp_path,
):
    """The retrain job wrote its report to no summary page (CML's node16 action is the only way
    it was shown), and a retrained model worse than main's stopped the job at `make challenge`
    with no report at all: the run said only that it failed."""
    steps = workflow_steps("retrain.yml")
    challenge = next(i for i, s in enumerate(steps) if s.get("run") == "make challenge")
    after = [step for step in steps[challenge + 1 :] if "run" in step]
    retrain = {"drift": {"retrain": "true"}}

    def runs_after_a_lost_challenge(written: tuple[str, ...]) -> list[str]:
        """The run steps after `make challenge` failed, with these report files written."""
        for name in written:
            (tmp_path / name).parent.mkdir(exist_ok=True)
            (tmp_path / name).write_text("{}")
        return [
            step["run"]
            for step in after
            if runs_after_failure(step.get("if"))
            and condition_holds(step.get("if"), retrain, tmp_path)
        ]

    # a failed retraining or a challenge that stopped on bad input writes no result: no report
    assert runs_after_a_lost_challenge(()) == []
    assert runs_after_a_lost_challenge(("report/challenge.json",)) == [
        "make report CHALLENGE=report/challenge.json"
    ]
    assert runs_after_a_lost_challenge(("report/summary.md",)) == [
        "make report CHALLENGE=report/challenge.json",
        "make report-summary",
    ]
    # on success every step after it runs; without retraining, none (nor any report file)
    assert all(condition_holds(s.get("if"), retrain, tmp_path) for s in after)
    for name in ("report/challenge.json", "report/summary.md"):
        (tmp_path / name).unlink()
    assert not [s for s in after if condition_holds(s.get("if"), {"drift": {}}, tmp_path)]
