"""One error type for expected failures, and the wrapper that turns it into one clean line."""

from __future__ import annotations

import argparse
import difflib
import json
import re
import signal
import sys
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import churn

# Errors of the object-store clients that fsspec passes through untranslated (no credentials,
# endpoint unreachable ...), by the module of their class: botocore is only there with dvc-s3.
STORAGE_CLIENT_MODULES = ("botocore.", "aiobotocore.")


class ChurnError(Exception):
    """A failure caused by input or configuration: reported as one line, never a traceback.
    rows: the input rows it is about (index labels), so that the files they came from can be
    named (see churn.source_rows)."""

    def __init__(self, *args: object, rows: Sequence = ()) -> None:
        super().__init__(*args)
        self.rows = rows


class CliParser(argparse.ArgumentParser):
    """argparse's parser with a usage error in one line, as a ChurnError's (`PROG: error:
    MESSAGE (see --help)`), not the usage block and then the line."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def refuse_folder(path: Path | str) -> None:
    """Refuse a path that names a folder where a file is expected."""
    if Path(path).is_dir():
        raise ChurnError(f"{path}: a folder, not a file")


def require_file(path: Path | str, missing: str = "file not found") -> None:
    """Refuse a path that names a folder, or nothing ("PATH: <missing>")."""
    refuse_folder(path)
    if not Path(path).is_file():
        raise ChurnError(f"{path}: {missing}")


def read_bytes(path: Path | str, missing: str = "file not found") -> bytes:
    """A file's bytes; when it does not exist, ChurnError "PATH: <missing>" (and one line for a
    folder, or a file that cannot be read: its permissions, an I/O error)."""
    try:
        return Path(path).read_bytes()
    except FileNotFoundError as error:
        raise ChurnError(f"{path}: {missing}") from error
    except IsADirectoryError:
        raise ChurnError(f"{path}: a folder, not a file") from None
    except OSError as error:  # permissions, I/O: a traceback before
        raise ChurnError(f"{path}: cannot be read ({error.strerror or error})") from None


def read_text(path: Path | str, missing: str = "file not found") -> str:
    """A UTF-8 text file, line ends read as Path.read_text reads them (universal newlines); the
    errors of read_bytes, and one line for another encoding."""
    raw = read_bytes(path, missing)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        bad = error.object[error.start : error.start + 1].hex()
        raise ChurnError(f"{path}: not UTF-8 text (byte 0x{bad}); save it as UTF-8") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_json_object(path: Path | str, missing: str = "file not found") -> dict:
    """A JSON file holding an object; one-line ChurnError when absent, invalid or not an object."""
    try:
        raw = json.loads(read_text(path, missing))
    except json.JSONDecodeError as error:
        raise ChurnError(f"{path}: not valid JSON ({error.msg})") from None
    if not isinstance(raw, dict):
        raise ChurnError(f"{path}: expected a JSON object")
    return raw


def json_kind(value: object) -> str:
    """What a parsed JSON value is, as JSON names it: object, array, string, number ..."""
    kinds = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}
    return kinds.get(type(value), "number")


def is_storage_error(error: BaseException) -> bool:
    """An error of an object-store client: of its own class, or a plain one it raised itself
    (botocore's ValueError for an endpoint URL that is not a URL)."""
    return type(error).__module__.startswith(STORAGE_CLIENT_MODULES) or raised_in(
        error, STORAGE_CLIENT_MODULES
    )


def raised_in(error: BaseException, modules: tuple[str, ...]) -> bool:
    """Whether the innermost frame of the error's traceback is code of one of the modules."""
    trace = error.__traceback__
    while trace is not None and trace.tb_next is not None:
        trace = trace.tb_next
    return trace is not None and trace.tb_frame.f_globals.get("__name__", "").startswith(modules)


@contextmanager
def storage_errors(*paths: str) -> Iterator[None]:
    """Object-store client errors as one ChurnError naming the URLs involved."""
    try:
        yield
    except Exception as error:
        if not is_storage_error(error):
            raise
        urls = ", ".join(path for path in paths if "://" in path) or "object store"
        raise ChurnError(f"{urls}: {error}") from None


def listing(names: Sequence[str], shown: int = 5) -> str:
    """Names for a one-line message: the first few, and how many in all."""
    more = f", ... ({len(names)} in all)" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def did_you_mean(name: str, choices: Iterable[object]) -> str:
    """A hint naming the choice closest to name, or "" when none is close."""
    guess = difflib.get_close_matches(name, [str(choice) for choice in choices], n=1)
    return f" (did you mean '{guess[0]}'?)" if guess else ""


UNSEEN = (  # Unicode's default-ignorable code points (zero-width, BOM ...) and controls
    "\x00-\x1f\x7f-\x9f\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f"
    "\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0000-\U000e0fff"
)
NOT_KEY = re.compile(f"[\\s_{UNSEEN}-]+")


def name_key(name: object) -> str:
    """A name in NFKC form without case, spaces, '-', '_' and invisible characters: near misses."""
    return NOT_KEY.sub("", unicodedata.normalize("NFKC", str(name))).casefold()


def spelt_alike(name: str, columns: Iterable[object]) -> str | None:
    """The column whose name differs from name only in case, spaces, '-' or '_', if any."""
    return next((str(c) for c in columns if name_key(c) == name_key(name)), None)


def near_miss(name: str, columns: Iterable[object]) -> str:
    """A hint when the data has the column under another spelling ("" when it has not)."""
    candidate = spelt_alike(name, columns)
    return "" if candidate is None else f"; the data has {candidate!r}: names must match exactly"


def column_hint(name: str, columns: Iterable[object]) -> str:
    """The hint for a column the data lacks: did_you_mean, noting when the closest name is
    spelt alike (names must match exactly); "" when none is close."""
    columns = [str(column) for column in columns]
    if (candidate := spelt_alike(name, columns)) is not None:
        return f" (did you mean {candidate!r}? names must match exactly)"
    return did_you_mean(name, columns)


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C's KeyboardInterrupt so that `finally` blocks run."""


def interrupt(signum: int, frame: object) -> None:
    """The SIGTERM handler: stop the run where it is, through the clean-up code."""
    raise Terminated


def run_cli(main: Callable[[Sequence[str] | None], None], prog: str) -> None:
    """Run a stage's main(); expected failures print `prog: error: ...` and exit with status 2.
    SIGTERM (a scheduler or `kill` stopping the run) exits like Ctrl-C, through the clean-up
    code, so no partial output is left behind."""
    if threading.current_thread() is threading.main_thread():  # only there can they be set
        signal.signal(signal.SIGTERM, interrupt)
        churn.hand_interrupts_back()  # from the start-up handler of churn/__init__.py
    try:
        main(None)
    except ChurnError as error:
        print(f"{prog}: error: {error}", file=sys.stderr)
        sys.exit(2)
    except Exception as error:
        if not is_storage_error(error):
            raise
        print(f"{prog}: error: object store: {error}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt as stop:
        terminated = isinstance(stop, Terminated)
        print(f"{prog}: {'terminated' if terminated else 'interrupted'}", file=sys.stderr)
        sys.exit(128 + (signal.SIGTERM if terminated else signal.SIGINT))
