"""One error type for expected failures, and the wrapper that turns it into one clean line."""

from __future__ import annotations

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
