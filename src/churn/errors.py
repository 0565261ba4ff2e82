"""One error type for expected failures, and the wrapper that turns it into one clean line."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path


class ChurnError(Exception):
    """A failure caused by input or configuration: reported as one line, never a traceback."""


def read_text(path: Path | str, missing: str = "file not found") -> str:
    """A UTF-8 text file; when it does not exist, ChurnError "PATH: <missing>"."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise ChurnError(f"{path}: {missing}") from error


def read_json_object(path: Path | str, missing: str = "file not found") -> dict:
    """A JSON file holding an object; one-line ChurnError when absent, invalid or not an object."""
    try:
        raw = json.loads(read_text(path, missing))
    except json.JSONDecodeError as error:
        raise ChurnError(f"{path}: not valid JSON ({error.msg})") from None
    if not isinstance(raw, dict):
        raise ChurnError(f"{path}: expected a JSON object")
    return raw


def run_cli(main: Callable[[Sequence[str] | None], None], prog: str) -> None:
    """Run a stage's main(); expected failures print `prog: error: ...` and exit with status 2."""
    try:
        main(None)
    except ChurnError as error:
        print(f"{prog}: error: {error}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        sys.exit(130)
