"""Exit statuses stated for make targets are make's own: a failed recipe makes make exit 2,
whatever status the module gave (README said `make gate` exits 1, `make help` that drift-batch
does)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from tests.helpers import REPO, repo_env

HELP = re.compile(r"^([\w-]+):[^\n]*## (.*)$", re.M)
README_MAKE_COMMAND = re.compile(r"^(?:\$ )?(make [\w-]+[^\n]*#[^\n]*)$", re.M)  # with a comment
EXIT_CLAIM = re.compile(r"\bexits?\b", re.I)


def make_claims() -> list[str]:
    """Every `make help` text and every commented make command in README that names an exit."""
    helps = [f"make {target}: {text}" for target, text in HELP.findall(_read("Makefile"))]
    commands = README_MAKE_COMMAND.findall(_read("README.md"))
    return [claim for claim in helps + commands if EXIT_CLAIM.search(claim)]


def _read(name: str) -> str:
    return (REPO / name).read_text(encoding="utf-8")


def test_a_failing_recipe_makes_make_exit_2(tmp_path: Path):
    """The premise: `make gate` runs churn.gate, which exits 1 when a metric is worse."""
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\nexit 1\n")
    fake.chmod(0o755)
    make = ["make", "-s", "-C", str(REPO), "-o", ".venv/.installed"]  # the venv is not rebuilt
    result = subprocess.run([*make, "gate", "BASE=x", f"BIN={tmp_path}"], capture_output=True)
    assert result.returncode == 2, result.stderr


def test_exit_statuses_of_make_targets_are_makes_own():
    claims = make_claims()
    for claim in claims:
        assert not re.search(r"\bexits? 1\b", claim, re.I), claim
        assert "make exits 2" in claim, claim
    stated = {claim.split()[1].rstrip(":") for claim in claims}
    assert {"gate", "drift-batch", "drift-check"} <= stated  # drift-check: 0 either way


def test_drift_batch_without_a_batch_says_how_to_name_one():
    """It ran churn.drift with `--current` and nothing after it: argparse's 'argument --current:
    expected one argument' named no make variable."""
    make = ["make", "-s", "-C", str(REPO), "-o", ".venv/.installed", "drift-batch", "CURRENT="]
    result = subprocess.run(make, capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.splitlines()[0] == (
        "make drift-batch: no batch: make drift-batch CURRENT=new.csv"
    )


def test_the_set_up_with_another_python_names_the_one_needed(tmp_path: Path):
    """The pins are for Python 3.11 (requires-python): with another python3 the set-up went on
    to create .venv and install into it, saying nothing of the version it needs."""
    for name in ("requirements.txt", "pyproject.toml"):
        (tmp_path / name).write_bytes((REPO / name).read_bytes())
    python = tmp_path / "python3.12"
    answer = '[ "$1" = --version ] && { echo "Python 3.12.1"; exit 0; }'  # and fails the check
    python.write_text(f"#!/bin/sh\n{answer}\nexit 1\n")
    python.chmod(0o755)
    make = ["make", "-s", "-C", str(tmp_path), "-f", str(REPO / "Makefile"), "install"]
    result = subprocess.run([*make, f"PYTHON={python}"], capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.splitlines()[0] == (
        f"make: churn-dvc needs Python 3.11; {python} is Python 3.12.1: make PYTHON=python3.11 ..."
    )
    assert not (tmp_path / ".venv").exists()


def test_the_base_branch_name_reaches_the_module_as_one_argument_never_as_commands(tmp_path):
    """The workflows set BASE from the branch a pull request goes into (`origin/${{
    github.base_ref }}`); git allows `;`, `$(...)` and backticks in a branch name, and the
    recipes' `--base $(BASE)` let make expand it and the shell run it."""
    fake = tmp_path / "python"
    fake.write_text('#!/bin/sh\nfor arg in "$@"; do echo "[$arg]"; done\n')
    fake.chmod(0o755)
    make = ["make", "-s", "-C", str(REPO), "-o", ".venv/.installed", f"BIN={tmp_path}"]
    base = "origin/x;echo INJECTED;$(shell echo MAKE-RAN-IT)`echo TICKS`"
    for target, module in (("gate", "churn.gate"), ("report", "churn.report")):
        done = subprocess.run(
            [*make, target], capture_output=True, text=True, env=repo_env(REPO) | {"BASE": base}
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.splitlines()[:4] == ["[-m]", f"[{module}]", "[--base]", f"[{base}]"]
