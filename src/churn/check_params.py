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
from shlex import quote
from typing import Any

from churn.contract_spec import Contract
from churn.data_params import contract_location
from churn.dvc_stages import declared_params, dvc_stages, local_source_problem
from churn.errors import ChurnError, CliParser, did_you_mean, run_cli
from churn.params import SECTIONS, check_section_names, read_params_file
from churn.source_access import source_problem
from churn.typed_sections import PARAMS_FILE, section_from_mapping

# Sections that only their own stage reads: with the stage gone from dvc.yaml (own data needs no
# generate), the section may go too
OWN_STAGE_SECTIONS = ("generate",)


def unneeded_sections(raw: dict[str, Any], path: Path) -> set[str]:
    """Absent sections of OWN_STAGE_SECTIONS whose stage dvc.yaml no longer has."""
    absent = [name for name in OWN_STAGE_SECTIONS if name not in raw]
    stages = dvc_stages(path) if absent else None
    return set() if stages is None else {name for name in absent if name not in stages}


def section_problems(raw: dict[str, Any], path: Path) -> list[str]:
    """One message per known section that cannot be loaded (missing, misspelt or out-of-range
    keys), without the file name; empty when every section loads."""
    problems = []
    unneeded = unneeded_sections(raw, path)
    for name, section in SECTIONS.items():
        if name in unneeded:
            continue
        try:
            section_from_mapping(section, name, raw.get(name), path)
        except ChurnError as error:
            problems.append(str(error).removeprefix(f"{path}: "))
    return problems


def source_checks(raw: dict[str, Any], path: Path) -> str | None:
    """Why ingest.source cannot be read (an s3:// one without credentials, a local one absent),
    or data.contract."""
    return source_problem(raw) or local_source_problem(raw, path) or contract_problem(raw, path)


def contract_problem(raw: dict[str, Any], path: Path) -> str | None:
    """Why the contract data.contract names (relative to the params file's folder) cannot be
    read, or None: validate would say so only after generate and ingest ran."""
    section = raw.get("data")
    named = section.get("contract") if isinstance(section, dict) else None
    if not isinstance(named, str) or not named.strip():
        return None  # "": validate infers one
    location = contract_location(path, named)
    if not location.is_file():
        others = sorted(str(Path(named).parent / p.name) for p in location.parent.glob("*.y*ml"))
        what = "a folder, not a file" if location.is_dir() else "no such file"
        return f"data.contract: {named}: {what}{did_you_mean(named, others)}"
    try:
        Contract.load(location)
    except ChurnError as error:
        return f"data.contract: {error}"
    return None


def check_params(raw: dict[str, Any], path: Path, source_access: bool = False) -> list[str]:
    """The sections no stage reads (the user's own); ChurnError naming every problem found and,
    with source_access, an s3:// source that no credentials here can read or a local one that
    is not there."""
    check_section_names(raw, path)
    problems = section_problems(raw, path)
    if source_access and not problems and (unreadable := source_checks(raw, path)):
        problems.append(unreadable)
    if problems:
        raise ChurnError(f"{path}: " + "; ".join(problems))
    return [str(name) for name in raw if name not in SECTIONS]


def axis_values(axis: str) -> list[Any] | None:
    """The values `dvc exp run -S axis` would set, read with the grammar DVC reads them with
    (Hydra's overrides: `3,5` a sweep, `[3,5]` one list, `range(3,8)`); None for the sweeps it
    leaves unlisted (glob, interval). ChurnError saying what is wrong when it has no value (an
    empty text is written '') or does not parse, which DVC would refuse too, less clearly."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.core.override_parser.types import ValueType
    from hydra.errors import HydraException

    key, equals, values = axis.partition("=")
    if not equals or not values.strip():
        raise ChurnError(f"{quote(axis)}: no value; write {key.strip()}=VALUE[,VALUE...]")
    try:
        override = OverridesParser.create().parse_override(axis)
    except HydraException as error:
        why = str(error).split(" expecting {")[0]  # not the grammar's list of every token
        raise ChurnError(f"{quote(axis)}: not a valid value list ({why})") from None
    if not override.is_sweep_override():
        return [override.value()]
    listed = (ValueType.SIMPLE_CHOICE_SWEEP, ValueType.CHOICE_SWEEP, ValueType.RANGE_SWEEP)
    if override.value_type not in listed:
        return None
    try:
        # quoted choices ('1','Yes') come as QuotedString: DVC sets their text
        values = [override._convert_value(value) for value in override.sweep_iterator()]
    except ValueError as error:  # range(3,8,0)
        raise ChurnError(f"{quote(axis)}: not a valid value list ({error})") from None
    if not values:
        raise ChurnError(f"{quote(axis)}: no value in that range; nothing would be queued")
    return values


def unread_key(raw: dict[str, Any], key: str, path: Path) -> str | None:
    """Why no stage reads params key "section.field" (or "section.field.key" of a mapping such as
    evaluate.slices): a section or field no stage knows, or one no stage of the dvc.yaml beside
    `path` declares (gate: read by churn.gate after the pipeline); None when a stage reads it."""
    section, _, rest = key.partition(".")
    field, _, subkey = rest.partition(".")
    known = [f"{name}.{f.name}" for name, cls in SECTIONS.items() for f in fields(cls)]
    value = raw.get(section, {}).get(field) if isinstance(raw.get(section), dict) else None
    if f"{section}.{field}" not in known or (subkey and not isinstance(value, dict)):
        return f"no stage reads '{key}'{did_you_mean(key, known)}"
    stages = dvc_stages(path)
    declared = declared_params(stages) if stages is not None else None
    if declared is not None and not any(key == d or key.startswith(f"{d}.") for d in declared):
        return f"no stage reads '{key}': no stage of dvc.yaml declares it"
    return None


def with_value(raw: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    """A copy of raw params with dotted `key` set to value, nested mappings copied on the way."""
    head, _, rest = key.partition(".")
    if not rest:
        return {**raw, head: value}
    inner = raw.get(head)
    return {**raw, head: with_value(inner if isinstance(inner, dict) else {}, rest, value)}


def grid_problem(raw: dict[str, Any], axis: str, path: Path) -> str | None:
    """Why a sweep axis "section.key=V1,V2" would queue experiments that train nothing new (a key
    no stage reads) or all fail (a value out of range, or none at all), or None."""
    key = axis.partition("=")[0].strip()
    if unread := unread_key(raw, key, path):
        return f"{quote(axis)}: {unread}"
    try:
        values = axis_values(axis)
    except ChurnError as error:
        return str(error)
    if values is None or not isinstance(raw.get(key.partition(".")[0]), dict):
        return None
    for value in values:
        problems = section_problems(with_value(raw, key, value), path)
        if problems:
            return f"{quote(axis)}: {problems[0]}"
    return None


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = CliParser(prog="churn.check_params", description=__doc__.splitlines()[0])
    parser.add_argument("--params", type=Path, default=PARAMS_FILE)
    parser.add_argument(
        "--file-only",
        action="store_true",
        help="check the file alone, not whether ingest.source and data.contract are readable",
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
