"""Read metrics, params and committed files of a git revision through DVC, without rerunning it."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from churn.errors import ChurnError


def check_revision(rev: str) -> None:
    """Fail with a hint when `rev` is not a commit here (e.g. main not fetched in a PR checkout)."""
    result = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise ChurnError(
            f"unknown git revision '{rev}': fetch it first (actions/checkout with fetch-depth: 0)"
        )


def _dvc_json(*args: str) -> dict[str, Any]:
    result = subprocess.run(["dvc", *args, "--json"], capture_output=True, text=True)
    if result.returncode != 0:
        message = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise ChurnError(f"dvc {' '.join(args)} failed: {message}")
    return json.loads(result.stdout or "{}")


def _revs(base: str, new: str | None) -> list[str]:
    return [base] if new is None else [base, new]


def metrics_diff(base: str, new: str | None = None) -> dict[str, Any]:
    """`dvc metrics diff --all` from base to new (None: the workspace), as parsed JSON."""
    return _dvc_json("metrics", "diff", *_revs(base, new), "--all")


def params_diff(base: str, new: str | None = None) -> dict[str, Any]:
    """`dvc params diff` from base to new (None: the workspace): changed params only."""
    return _dvc_json("params", "diff", *_revs(base, new))


def read_json_at(path: str, rev: str | None) -> Any | None:
    """A JSON file at a revision (via dvc.api.read) or in the workspace; None when absent."""
    if rev is None:
        file = Path(path)
        text = file.read_text(encoding="utf-8") if file.is_file() else None
    else:
        import dvc.api  # slow import: only when a revision is asked for
        from dvc.exceptions import DvcException

        try:
            text = dvc.api.read(path, rev=rev)
        except (DvcException, FileNotFoundError):
            text = None
    if text is None:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ChurnError(f"{path} at {rev or 'workspace'}: not valid JSON ({error.msg})") from error
