"""Helpers for tests that run the real dvc CLI in a temporary git copy of this repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent


def repo_env(root: Path) -> dict[str, str]:
    """Environment for commands in a copy: this venv's tools, the copy's own source code."""
    env = dict(os.environ)
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = str(root / "src")
    env["DVC_NO_ANALYTICS"] = "1"
    env["GIT_AUTHOR_NAME"] = env["GIT_COMMITTER_NAME"] = "churn tests"
    env["GIT_AUTHOR_EMAIL"] = env["GIT_COMMITTER_EMAIL"] = "tests@example.invalid"
    return env


def run(root: Path, *args: str, check: bool = True, timeout: int = 600):
    """Run a command in the copy and return the completed process (output captured as text)."""
    result = subprocess.run(
        args, cwd=root, env=repo_env(root), capture_output=True, text=True, timeout=timeout
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"{' '.join(args)} exited {result.returncode}\n{result.stdout}\n{result.stderr}"
        )
    return result


def copy_repository(dest: Path) -> Path:
    """Copy the files git would see (tracked and untracked, not ignored) into a new git repo."""
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\0")
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    run(dest, "git", "init", "-q", "-b", "main")
    commit_all(dest, "base")
    return dest


def commit_all(root: Path, message: str) -> None:
    run(root, "git", "add", "-A")
    run(root, "git", "commit", "-q", "--allow-empty", "-m", message)


def set_params(root: Path, **changes: object) -> None:
    """Set dotted keys in the copy's params.yaml, e.g. {"train.max_depth": 3}."""
    path = root / "params.yaml"
    params = yaml.safe_load(path.read_text())
    for dotted, value in changes.items():
        section, key = dotted.split(".")
        params[section][key] = value
    path.write_text(yaml.safe_dump(params, sort_keys=False))


def stages_run(output: str) -> list[str]:
    """Names of the stages `dvc repro` actually ran, in order."""
    return [
        line.split("'")[1] for line in output.splitlines() if line.startswith("Running stage '")
    ]


def featurize_splits(folder: Path, splits: dict, timestamp: str) -> Path:
    """churn.featurize's main on these split frames (train, valid, test), written under folder
    with params naming customer_id, churned, this data.timestamp and no contract; min category
    count 5. The feature spec's path."""
    from churn import featurize

    (folder / "split").mkdir()
    for name, frame in splits.items():
        frame.to_parquet(folder / "split" / f"{name}.parquet")
    params = yaml.safe_load((REPO / "params.yaml").read_text())
    params["data"].update(target="churned", id="customer_id", timestamp=timestamp, contract="")
    params["featurize"]["min_category_count"] = 5
    (folder / "params.yaml").write_text(yaml.safe_dump(params))
    featurize.main(
        [*["--split-dir", str(folder / "split"), "--out-dir", str(folder / "proc")],
         *["--spec", str(folder / "f.json"), "--params", str(folder / "params.yaml")]]
    )  # fmt: skip
    return folder / "f.json"
