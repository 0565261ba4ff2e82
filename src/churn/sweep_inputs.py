"""Files a queued experiment would not see: DVC runs it in a copy of the last commit plus the
changes to tracked files, so an untracked module or contract the stages read is missing there."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any

from churn.dvc_stages import dvc_stages, is_within, stage_outs
from churn.sweep_results import flatten

TEMPLATE = re.compile(r"\$\{([^}]+)\}")


def resolve(dep: str, params: dict[str, object]) -> str:
    """A dvc.yaml dep with its ${section.key} filled from the flattened params."""
    return TEMPLATE.sub(lambda m: str(params.get(m.group(1).strip(), m.group(0))), dep)


def git_side_inputs(stages: dict[str, Any], params: dict[str, Any]) -> list[str]:
    """What the stages read that git keeps, not DVC: src/ and every local dep no stage writes."""
    flat = flatten(params)
    outs = [os.path.normpath(out) for out in stage_outs(stages)]
    deps = [
        resolve(dep, flat)
        for stage in stages.values()
        if isinstance(stage, dict)
        for dep in stage.get("deps") or []
        if isinstance(dep, str)
    ]
    local = {os.path.normpath(dep) for dep in deps if "://" not in dep and "${" not in dep}
    return sorted({"src", *(dep for dep in local if not any(is_within(dep, o) for o in outs))})


def untracked_files() -> list[str]:
    """Files git neither tracks nor ignores; none outside a git work tree. Names are read as
    the file system's (os.fsdecode): a name that is not UTF-8 was a UnicodeDecodeError."""
    listed = subprocess.run(
        ["git", "ls-files", "--others", "--exclude-standard", "-z"], capture_output=True
    )
    names = listed.stdout.split(b"\0") if listed.returncode == 0 else []
    return [os.fsdecode(name) for name in names if name]


def untracked_inputs(params_file: Path, params: dict[str, Any]) -> list[str]:
    """Untracked files among what the stages of the dvc.yaml beside `params_file` read."""
    stages = dvc_stages(params_file)
    inputs = git_side_inputs(stages, params) if stages else ["src"]
    return [
        name
        for name in untracked_files()
        if any(is_within(os.path.normpath(name), folder) for folder in inputs)
    ]
