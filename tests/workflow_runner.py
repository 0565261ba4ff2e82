"""Run a GitHub workflow's `run:` steps locally, in order, the way the Actions runner would.

`uses:` steps are skipped (their effect is provided by the test: checkout, Python, the venv), and so
are the CML posting steps (no CML here; see NOTES.md). `if:` conditions of the form
`steps.<id>.outputs.<name> == '<value>'` are evaluated from each step's $GITHUB_OUTPUT, and
`hashFiles('<path>') != ''` from the workspace; after a failed step only those written
`${{ !cancelled() && <such a condition> }}` still run.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tests.helpers import REPO, repo_env

WORKFLOWS = REPO / ".github" / "workflows"
VENV = Path(sys.executable).parents[1]
CONDITION = re.compile(r"^steps\.(\w[\w-]*)\.outputs\.(\w+) == '([^']*)'$")
# a step that runs after a failed one too (the job still fails): `${{ !cancelled() && ... }}`
AFTER_FAILURE = re.compile(r"^\$\{\{\s*!cancelled\(\)\s*&&\s*(.*?)\s*\}\}$", re.DOTALL)
FILE_EXISTS = re.compile(r"^hashFiles\('([^']+)'\) != ''$")  # a file an earlier step wrote


@dataclass
class StepResult:
    name: str
    status: str  # ran | skipped-uses | skipped-posting | skipped-condition | not-reached
    returncode: int | None = None
    output: str = ""


def workflow_steps(name: str) -> list[dict[str, Any]]:
    """The steps of the workflow's jobs, job after job; PyYAML reads the `on:` key as True."""
    workflow = yaml.safe_load((WORKFLOWS / name).read_text())
    assert True in workflow, f"{name}: no `on:` triggers"
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def is_posting(step: dict[str, Any]) -> bool:
    return bool(re.search(r"(^|[\s(])cml\s", step.get("run", "")))


def use_test_venv(root: Path) -> dict[str, str]:
    """Env for `make` in a copy: the test venv (never reinstalled) instead of a new .venv."""
    stamp = VENV / ".installed"
    assert stamp.is_file(), "run `make install` first"
    for name in ("requirements.txt", "pyproject.toml"):  # fresh clones are newer than the stamp
        os.utime(root / name, (0, 0))
    env = repo_env(root) | {"MAKEFLAGS": f"VENV={VENV}"}
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "GITHUB_OUTPUT"):
        env.pop(key, None)
    dry = subprocess.run(
        ["make", "-n", "install"], cwd=root, env=env, capture_output=True, text=True
    )
    assert "pip" not in dry.stdout, f"make would reinstall the test venv:\n{dry.stdout}"
    return env


def runs_after_failure(condition: str | None) -> bool:
    return condition is not None and AFTER_FAILURE.match(condition.strip()) is not None


def condition_holds(
    condition: str | None, outputs: dict[str, dict[str, str]], root: Path | None = None
) -> bool:
    """An `if:` of the forms the runner knows, after `!cancelled() &&` if any; hashFiles looks
    in root (the workspace)."""
    if condition is None:
        return True
    after_failure = AFTER_FAILURE.match(condition.strip())
    text = after_failure.group(1) if after_failure else condition.strip()
    if exists := FILE_EXISTS.match(text):
        return root is not None and (root / exists.group(1)).is_file()
    match = CONDITION.match(text)
    assert match, f"the test runner cannot evaluate `if: {condition}`"
    step_id, key, value = match.groups()
    return outputs.get(step_id, {}).get(key) == value


def read_outputs(path: Path) -> dict[str, str]:
    lines = path.read_text().splitlines() if path.is_file() else []
    return dict(line.split("=", 1) for line in lines if "=" in line)


def run_workflow(
    name: str, root: Path, summary: Path, replace: dict[str, str] | None = None
) -> list[StepResult]:
    """Execute the workflow's run steps in `root` until one fails (then only the steps that run
    after a failure too); `replace` swaps commands."""
    env = use_test_venv(root) | {"GITHUB_STEP_SUMMARY": str(summary), "GITHUB_RUN_ID": "1"}
    results, outputs, failed = [], {}, False
    for index, step in enumerate(workflow_steps(name)):
        label = step.get("name") or step.get("uses") or step["run"]
        if failed and not runs_after_failure(step.get("if")):
            results.append(StepResult(label, "not-reached"))
        elif "uses" in step:
            results.append(StepResult(label, "skipped-uses"))
        elif is_posting(step):
            results.append(StepResult(label, "skipped-posting"))
        elif not condition_holds(step.get("if"), outputs, root):
            results.append(StepResult(label, "skipped-condition"))
        else:
            output_file = summary.parent / f"output-{index}"
            command = (replace or {}).get(step["run"], step["run"])
            done = subprocess.run(
                ["bash", "-eo", "pipefail", "-c", command],
                cwd=root,
                env=env | {"GITHUB_OUTPUT": str(output_file)},
                capture_output=True,
                text=True,
                timeout=900,
            )
            results.append(StepResult(label, "ran", done.returncode, done.stdout + done.stderr))
            outputs[step.get("id", "")] = read_outputs(output_file)
            failed = failed or done.returncode != 0
    return results
