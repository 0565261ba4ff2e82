"""What the dvc.yaml beside params.yaml says, for `churn.check_params`: its stages, and whether a
local `ingest.source` is there to read or is the output of a stage `dvc repro` runs first."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from churn.yaml_files import parse_yaml


def dvc_stages(path: Path) -> dict[str, Any] | None:
    """The stages of the dvc.yaml beside params file `path`; None when it has none to read."""
    try:
        stages = parse_yaml((path.parent / "dvc.yaml").read_bytes(), as_dvc=True).get("stages")
    except (OSError, yaml.YAMLError, AttributeError):
        return None
    return stages if isinstance(stages, dict) else None


def declared_params(stages: dict[str, Any]) -> set[str]:
    """Every params.yaml key (or whole section) the stages declare under `params:`: what DVC
    reruns a stage for."""
    keys: set[str] = set()
    for stage in stages.values():
        entries = stage.get("params") if isinstance(stage, dict) else None
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, str):
                keys.add(entry)
            elif isinstance(entry, dict) and isinstance(entry.get("params.yaml"), list):
                keys.update(str(key) for key in entry["params.yaml"])  # other files: not ours
    return keys


def stage_outs(stages: dict[str, Any]) -> list[str]:
    """Every output path the stages declare (plain or with options)."""
    outs = []
    for stage in stages.values():
        entries = stage.get("outs") if isinstance(stage, dict) else None
        for entry in entries if isinstance(entries, list) else []:
            outs += [entry] if isinstance(entry, str) else [str(k) for k in dict(entry or {})]
    return outs


def is_within(path: str, folder: str) -> bool:
    """Whether normalised `path` is `folder` or below it."""
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def local_source_problem(raw: dict[str, Any], path: Path) -> str | None:
    """ "ingest.source: PATH: no such file or folder" for a local source that neither exists nor
    is a stage's output (generate's data/raw); None otherwise, and without a dvc.yaml to tell.
    `dvc repro` would run the stages before ingest first, then stop naming no param."""
    section = raw.get("ingest")
    source = section.get("source") if isinstance(section, dict) else None
    if not isinstance(source, str) or not source.strip() or "://" in source:
        return None
    stages = dvc_stages(path)
    where = os.path.normpath(path.parent / source)
    if stages is None or os.path.exists(where):
        return None
    if any(is_within(where, os.path.normpath(path.parent / out)) for out in stage_outs(stages)):
        return None
    return f"ingest.source: {source}: no such file or folder"
