"""One error type for expected failures, and the wrapper that turns it into one clean line."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence


class ChurnError(Exception):
    """A failure caused by input or configuration: reported as one line, never a traceback."""


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
