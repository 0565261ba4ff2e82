"""Files a queued experiment would not see: DVC runs it in a copy of the last commit plus the
changes to tracked files, so an untracked module or contract the stages read is missing there."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any

import yaml

from churn.dvc_stages import dvc_stages, is_within, stage_outs
from churn.sweep_results import flatten
from churn.yaml_files import parse_yaml

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


def baseline_files(params_file: Path) -> list[str]:
    """The files `dvc exp show` reads at the commit experiments start from: params, dvc.yaml,
    dvc.lock and the metrics files dvc.yaml lists."""
    folder = params_file.parent
    try:
        listed = parse_yaml((folder / "dvc.yaml").read_bytes(), as_dvc=True).get("metrics")
    except (OSError, yaml.YAMLError, AttributeError):  # no dvc.yaml to read: params alone
        listed = None
    metrics = [name for name in listed or [] if isinstance(name, str)]
    return [str(params_file), *(str(folder / name) for name in ("dvc.yaml", "dvc.lock", *metrics))]


def not_utf8_at(paths: list[str], rev: str = "HEAD") -> str | None:
    """One line naming the first of paths that git holds at rev as text that is not UTF-8 (a
    Latin-1 params.yaml committed earlier), None when each is UTF-8 or not committed: `dvc exp
    show` then fails on an error of its own (EncodingError.__init__() missing 1 required
    positional argument), after every experiment ran."""
    for path in paths:
        shown = subprocess.run(["git", "show", f"{rev}:./{path}"], capture_output=True)
        if shown.returncode != 0:
            continue
        try:
            shown.stdout.decode("utf-8")
        except UnicodeDecodeError as error:
            bad = error.object[error.start : error.start + 1].hex()
            return (
                f"{path}@{rev}: not UTF-8 text (byte 0x{bad}), which DVC cannot read at the commit "
                "experiments start from: no experiment could be ranked; commit it saved as UTF-8"
            )
    return None
