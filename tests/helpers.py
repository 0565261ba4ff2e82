"""Helpers for tests that run the real dvc CLI in a temporary git copy of this repository."""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import yaml
from filelock import FileLock

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


def built_once(tmp_path_factory, worker_id: str, name: str, build: Callable[[Path], object]):
    """The folder `name` with what `build(folder)` made in it, and build's (picklable) result;
    built once per test session. Under pytest-xdist the first worker to ask builds it in the
    folder the workers share and the others wait for it (each built its own copy before, the
    two of them on the same two cores). Users that change it take a copy (copy_tree)."""
    if worker_id == "master":  # not distributed: the session's own folder
        folder = tmp_path_factory.mktemp(name)
        return folder, build(folder)
    shared = tmp_path_factory.getbasetemp().parent  # the session's, above each worker's
    folder, result = shared / name, shared / f"{name}.pickle"
    with FileLock(shared / f"{name}.lock"):
        if not result.exists():
            shutil.rmtree(folder, ignore_errors=True)  # a build that failed in another worker
            folder.mkdir()
            result.write_bytes(pickle.dumps(build(folder)))
    return folder, pickle.loads(result.read_bytes())


def copy_tree(source: Path, dest: Path) -> Path:
    """A copy of source (git repository, DVC cache and workspace) without DVC's lock files in
    .dvc/tmp, which a dvc command running in source at the same time may hold."""
    skip_dvc_tmp = lambda folder, names: ["tmp"] if Path(folder).name == ".dvc" else []  # noqa: E731
    shutil.copytree(source, dest, symlinks=True, ignore=skip_dvc_tmp)
    return dest
