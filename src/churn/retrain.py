"""Continuous training helpers: bring in the next month, and decide from drift whether to retrain.

python -m churn.retrain advance [--params params.yaml]      # generate.months += 1
python -m churn.retrain newest [--params params.yaml]       # the newest raw snapshot file
python -m churn.retrain decide --drift FILE [--output F] [--summary F]
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from churn.errors import ChurnError, CliParser, read_json_object, read_text, run_cli
from churn.generate import month_starts
from churn.params import PARAMS_FILE, GenerateParams, load_section
from churn.tables import writing

MONTHS_LINE = re.compile(r"^(\s+months:\s*)(\d+)(.*)$")


def advance_months(text: str, where: str = "params.yaml") -> tuple[str, int]:
    """params.yaml text with `generate.months` one higher (comments kept), and the new value;
    errors name `where`, the file read."""
    lines, section = text.splitlines(keepends=True), None
    for index, line in enumerate(lines):
        if line[:1] not in ("", " ", "\t", "#", "\n"):
            section = line.split(":", 1)[0].strip()
        match = MONTHS_LINE.match(line.rstrip("\n"))
        if section == "generate" and match:
            months = int(match.group(2)) + 1
            ending = "\n" if line.endswith("\n") else ""
            lines[index] = f"{match.group(1)}{months}{match.group(3)}{ending}"
            return "".join(lines), months
    raise ChurnError(f"{where}: no 'generate.months' line to advance")


def newest_snapshot(params: GenerateParams, raw_dir: Path) -> Path:
    """The raw snapshot of the newest month, which `make drift-check` compares with the current
    model's latest training month (not with the month before: gradual drift never showed there)."""
    newest = month_starts(params.start_month, params.months)[-1]
    return raw_dir / f"snapshot_{newest}.csv"


def decide(drift: Mapping[str, Any], where: str = "drift result") -> tuple[bool, str]:
    """Retrain exactly when the drift check says `drift: true`; the one-line reason for the log
    (errors name `where`, the file read)."""
    if not isinstance(drift.get("drift"), bool):
        raise ChurnError(f"{where}: field 'drift' must be true or false")
    reason = drift.get("reason") or "no reason given"
    share = drift.get("share_drifted")
    if share is not None and (isinstance(share, bool) or not isinstance(share, int | float)):
        raise ChurnError(f"{where}: field 'share_drifted' must be a number, got {share!r}")
    detail = f"{reason}" + (
        f" (share of drifted features {share:.2f})" if share is not None else ""
    )
    if drift["drift"]:
        return True, f"Retrain: yes, drift check: {detail}"
    return False, f"Retrain: no, drift check: {detail}"


def append_line(path: Path | None, line: str) -> None:
    """Append one line to path ($GITHUB_OUTPUT, $GITHUB_STEP_SUMMARY); nothing when None."""
    if path is not None:
        with writing(path), path.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")


def advance(params: Path) -> int:
    """Raise generate.months in the params file by one; the new value."""
    text, months = advance_months(read_text(params), str(params))
    with writing(params):
        params.write_text(text, encoding="utf-8")
    return months


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = CliParser(prog="churn.retrain", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("advance", "newest"):
        command = commands.add_parser(name)
        command.add_argument("--params", type=Path, default=PARAMS_FILE)
        command.add_argument("--raw-dir", type=Path, default=Path("data/raw"))
    command = commands.add_parser("decide")
    command.add_argument("--drift", type=Path, required=True, help="JSON from churn.drift check")
    command.add_argument("--output", type=Path, help="append retrain=true|false ($GITHUB_OUTPUT)")
    command.add_argument("--summary", type=Path, help="append the line ($GITHUB_STEP_SUMMARY)")
    return parser.parse_args(argv)


def read_drift(path: Path) -> dict[str, Any]:
    return read_json_object(path, "file not found (did the drift check run?)")


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    if args.command == "advance":
        print(f"churn.retrain: generate.months is now {advance(args.params)}")
    elif args.command == "newest":
        print(newest_snapshot(load_section("generate", args.params), args.raw_dir))
    else:
        retrain, line = decide(read_drift(args.drift), str(args.drift))
        append_line(args.output, f"retrain={str(retrain).lower()}")
        append_line(args.summary, line)
        print(line)


if __name__ == "__main__":
    run_cli(main, "churn.retrain")
