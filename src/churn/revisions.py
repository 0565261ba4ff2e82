"""Read metrics, params and committed files of a git revision through DVC, without rerunning it,
and check that the model and metrics files are the pair dvc.lock records."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from churn.errors import ChurnError, read_bytes

LOCK_MODEL = "models/model.json"  # what dvc.yaml's evaluate stage reads and writes
LOCK_METRICS = "metrics/evaluate/metrics.json"
# DVC's warning for a file of a revision it could not decode (it then reports no values for it)
NOT_UTF8 = re.compile(
    r"failed to load (\w+) in revision '([^']+)', unable to read: '([^']+)', is not valid utf-8"
)


def require_git_repository(what: str) -> None:
    """Fail, naming `what` needs it, when the current directory is in no git repository."""
    try:
        found = subprocess.run(["git", "rev-parse", "--git-dir"], capture_output=True).returncode
    except FileNotFoundError:
        raise ChurnError(f"{what}: git is not installed") from None
    if found != 0:
        raise ChurnError(
            f"{what}: {Path.cwd()} is not inside a git repository (run it in the clone)"
        )


def check_revision(rev: str) -> None:
    """Fail with a hint when `rev` is not a commit here (e.g. main not fetched in a PR checkout)."""
    require_git_repository(f"revision '{rev}'")
    result = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise ChurnError(
            f"unknown git revision '{rev}': fetch it first (actions/checkout with fetch-depth: 0)"
        )


def dvc_executable() -> str:
    """The dvc installed beside this Python (the venv's, on PATH or not), else PATH's."""
    beside = Path(sys.executable).parent / "dvc"
    return str(beside) if beside.is_file() else "dvc"


def _dvc_json(*args: str) -> dict[str, Any]:
    try:
        result = subprocess.run([dvc_executable(), *args, "--json"], capture_output=True, text=True)
    except FileNotFoundError:
        raise ChurnError(
            "dvc: not installed beside this Python nor on PATH (run `make install`)"
        ) from None
    if result.returncode != 0:
        message = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise ChurnError(f"dvc {' '.join(args)} failed: {message}")
    if unread := NOT_UTF8.search(result.stderr):  # DVC warns, exits 0, and reports no values
        kind, rev, path = unread.groups()
        raise ChurnError(
            f"{path}@{rev}: not UTF-8 text, so `dvc {' '.join(args)}` cannot read the {kind} of "
            f"{rev} (it reports them as absent); save the file as UTF-8 (in a new commit, for "
            "a revision), or compare with another revision"
        )
    return json.loads(result.stdout or "{}")


def stale_stages() -> list[str]:
    """The stages `dvc status` finds out of date in the workspace (none once reproduced)."""
    return sorted(_dvc_json("status"))


def require_reproduced(why: str) -> None:
    """Refuse a workspace `dvc status` finds out of date (params, code or data edited without
    `dvc repro`): its model and metrics are not those of what it holds."""
    if stale := stale_stages():
        raise ChurnError(
            f"the workspace is not reproduced (dvc status: {', '.join(stale)} out of date): run "
            f"`dvc repro` first, {why}"
        )


def _revs(base: str, new: str | None) -> list[str]:
    return [base] if new is None else [base, new]


def metrics_diff(base: str, new: str | None = None) -> dict[str, Any]:
    """`dvc metrics diff --all` from base to new (None: the workspace), as parsed JSON."""
    return _dvc_json("metrics", "diff", *_revs(base, new), "--all")


def params_diff(base: str, new: str | None = None) -> dict[str, Any]:
    """`dvc params diff` from base to new (None: the workspace): changed params only."""
    return _dvc_json("params", "diff", *_revs(base, new))


def cached_listing(cache: Path, md5: str) -> list[dict]:
    """The files of a folder output (relpath, md5), from the DVC cache; [] when not there."""
    try:
        return json.loads((cache / "files" / "md5" / md5[:2] / md5[2:]).read_text("utf-8"))
    except (OSError, ValueError):
        return []


def lock_md5(entries: list[dict], path: str, cache: Path) -> str | None:
    """The md5 dvc.lock entries record for path: its own entry's, or its line in the listing of a
    folder output holding it; None when not recorded."""
    for entry in entries:
        name, md5 = str(entry.get("path", "")).rstrip("/"), str(entry.get("md5", ""))
        if name == path:
            return md5
        if path.startswith(f"{name}/") and md5.endswith(".dir"):
            inner = path.removeprefix(f"{name}/")
            files = cached_listing(cache, md5)
            return next((f.get("md5") for f in files if f.get("relpath") == inner), None)
    return None


def evaluate_entry(lock: Path) -> dict:
    """The evaluate stage's entry of a dvc.lock ({} when it has none); ChurnError when the file
    is not shaped like a dvc.lock."""
    try:
        stages = (yaml.safe_load(read_bytes(lock)) or {}).get("stages") or {}
        stage = stages.get("evaluate") or {}
        lists = [stage.get("deps") or [], stage.get("outs") or []]
        if not isinstance(stage, dict) or not all(
            isinstance(entries, list) and all(isinstance(e, dict) for e in entries)
            for entries in lists
        ):
            raise TypeError
    except (yaml.YAMLError, AttributeError, TypeError):
        raise ChurnError(f"{lock}: not a valid dvc.lock") from None
    return stage


def check_metrics_pair(lock: Path, model: Path, metrics: Path) -> str | None:
    """Fail when the model and metrics files are not the pair dvc.lock's evaluate stage records;
    None when they are, else why the check could not be made."""
    if not lock.is_file():
        return f"no dvc.lock at {lock}: the metrics were not checked against the model"
    stage, cache = evaluate_entry(lock), lock.parent / ".dvc" / "cache"
    recorded = (
        lock_md5(stage.get("deps") or [], LOCK_MODEL, cache),
        lock_md5(stage.get("outs") or [], LOCK_METRICS, cache),
    )
    if None in recorded:
        unknown = [
            name for name, md5 in zip((LOCK_MODEL, LOCK_METRICS), recorded, strict=True) if not md5
        ]
        return f"{lock}: the evaluate stage records no md5 for {' or '.join(unknown)}: not checked"
    found = tuple(hashlib.md5(read_bytes(path)).hexdigest() for path in (model, metrics))
    if found != recorded:
        raise ChurnError(
            f"{metrics} does not belong to {model}: {lock} records model md5 {recorded[0]} with "
            f"metrics md5 {recorded[1]}, the files have {found[0]} and {found[1]} (run `dvc "
            "checkout` for the pair dvc.lock records, or `dvc repro` to evaluate this model)"
        )
    return None


def threshold_check(lock: Path, threshold: float) -> str | None:
    """Why the decision metrics of dvc.lock's evaluate stage (precision, recall, f1, confusion)
    are not for this threshold: it ran with another; None when not, or when it records none."""
    for values in (evaluate_entry(lock).get("params") or {}).values():
        section = values.get("evaluate") if isinstance(values, dict) else None
        recorded = section.get("threshold") if isinstance(section, dict) else None
        if isinstance(values, dict) and recorded is None:
            recorded = values.get("evaluate.threshold")  # params declared per key
        if isinstance(recorded, int | float) and recorded != threshold:
            return (
                f"{lock}: the evaluate stage ran with evaluate.threshold {recorded}, the server "
                f"decides at {threshold}: the metrics' precision, recall, f1 and confusion are "
                f"for {recorded} (run `dvc repro`)"
            )
    return None
