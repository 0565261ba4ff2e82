"""Check params.yaml whole, every section and key, before `dvc repro` (`make repro` does).

DVC reruns a stage only when a key it declares changes, so under `dvc repro` alone a misspelt
section (`trian:`) or key (`train.max_dept: 4`) makes nothing stale: no stage reads it, nothing
reruns and nothing says so. This reads every section the stages know."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any

from churn.errors import ChurnError, CliParser, did_you_mean, run_cli
from churn.params import SECTIONS, check_section_names, read_params_file
from churn.source_access import source_problem
from churn.typed_sections import PARAMS_FILE, section_from_mapping
from churn.yaml_files import parse_yaml


def section_problems(raw: dict[str, Any], path: Path) -> list[str]:
    """One message per known section that cannot be loaded (missing, misspelt or out-of-range
    keys), without the file name; empty when every section loads."""
    problems = []
    for name, section in SECTIONS.items():
        try:
            section_from_mapping(section, name, raw.get(name), path)
        except ChurnError as error:
            problems.append(str(error).removeprefix(f"{path}: "))
    return problems


def check_params(raw: dict[str, Any], path: Path, source_access: bool = False) -> list[str]:
    """The sections no stage reads (the user's own); ChurnError naming every problem found and,
    with source_access, an s3:// source that no credentials here can read."""
    check_section_names(raw, path)
    problems = section_problems(raw, path)
    if source_access and not problems and (unreadable := source_problem(raw)):
        problems.append(unreadable)
    if problems:
        raise ChurnError(f"{path}: " + "; ".join(problems))
    return [str(name) for name in raw if name not in SECTIONS]


def grid_problem(raw: dict[str, Any], axis: str, path: Path) -> str | None:
    """Why a sweep axis "section.key=V1,V2" would queue experiments that train nothing new (a key
    no stage reads) or all fail (a value out of range), or None. Values in DVC's sweep functions
    (`range(3,8)`, `choice(...)`) are left to DVC."""
    key, _, values = axis.partition("=")
    section, _, field = key.partition(".")
    if section not in SECTIONS or field not in {f.name for f in fields(SECTIONS[section])}:
        known = [f"{name}.{f.name}" for name, cls in SECTIONS.items() for f in fields(cls)]
        return f"{axis}: no stage reads '{key}'{did_you_mean(key, known)}"
    if "(" in values or not isinstance(raw.get(section), dict):
        return None
    for value in values.split(","):
        changed = {**raw, section: {**raw[section], field: parse_yaml(value)}}
        problems = section_problems(changed, path)
        if problems:
            return f"{axis}: {problems[0]}"
    return None


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = CliParser(prog="churn.check_params", description=__doc__.splitlines()[0])
    parser.add_argument("--params", type=Path, default=PARAMS_FILE)
    parser.add_argument(
        "--file-only",
        action="store_true",
        help="check the file alone, not whether an s3:// ingest.source is readable here",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    unread = check_params(read_params_file(args.params), args.params, not args.file_only)
    for name in unread:
        print(f"churn.check_params: note: section '{name}' is read by no stage", file=sys.stderr)
    print(f"{args.params}: {len(SECTIONS)} sections checked")


if __name__ == "__main__":
    run_cli(main, "churn.check_params")
