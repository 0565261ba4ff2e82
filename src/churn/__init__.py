"""churn-dvc: reproducible e-commerce churn prediction with DVC.

Started as `python -m churn.<stage>`, the package makes a Ctrl-C that comes while the stage is
still importing its libraries (pandas, pyarrow, xgboost: seconds) exit with one line, as it does
later through `churn.errors.run_cli`, instead of an import traceback. Imported any other way (by
tests, uvicorn or another program), or with Ctrl-C ignored by the parent, it does nothing.
"""

import os
import signal
import sys


def started_stage() -> str | None:
    """The module after `-m` while `python -m churn.<stage>` imports this package (runpy sets
    argv[0] to "-m" until the module is found), else None."""
    if sys.argv[:1] != ["-m"] or "-m" not in sys.orig_argv:
        return None
    after_m = sys.orig_argv[sys.orig_argv.index("-m") + 1 :]
    return after_m[0] if after_m else "churn"


def stop_while_importing(signum: int, frame: object) -> None:
    """Ctrl-C before the stage's main() runs: one line, exit status 130 at once (nothing has
    been written yet, so there is nothing to clean up)."""
    print(f"{STARTED_AS or 'churn'}: interrupted", file=sys.stderr, flush=True)
    os._exit(128 + signal.SIGINT)


def hand_interrupts_back() -> None:
    """Let Ctrl-C raise KeyboardInterrupt again (for the stage's clean-up code), if the
    start-up handler holds it."""
    if signal.getsignal(signal.SIGINT) is stop_while_importing:
        signal.signal(signal.SIGINT, signal.default_int_handler)


STARTED_AS = started_stage()  # read now: runpy replaces argv[0] once the module is found
if STARTED_AS and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
    signal.signal(signal.SIGINT, stop_while_importing)
