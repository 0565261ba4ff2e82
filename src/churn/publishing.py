"""Publishing the outputs of batch scoring all together or not at all: each is written under
a temporary name and gets its final name only when every output is complete; if one cannot be
published, those published before it are put back as they were."""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from churn.errors import ChurnError, is_storage_error
from churn.file_systems import filesystem_of
from churn.outputs import check_destination, is_url


def partial_name(path: str, scratch: Path, number: int) -> str:
    """Where an output is written until it is complete: a hidden file next to a local path; for
    a URL, a local file in scratch, uploaded when complete (an object store would publish a
    half-written upload as soon as its handle is closed, even on an error)."""
    if is_url(path):
        return str(scratch / f"{number}.partial")
    target = Path(path)
    return str(target.with_name(f".{target.name}.partial"))


@contextmanager
def io_errors(path: str, action: str) -> Iterator[None]:
    """OSError and object-store client errors as one ChurnError "PATH: cannot be ACTION (...)"."""
    try:
        yield
    except OSError as error:
        raise ChurnError(f"{path}: cannot be {action} ({error.strerror or error})") from None
    except Exception as error:
        if not is_storage_error(error):
            raise
        raise ChurnError(f"{path}: cannot be {action} ({error})") from None


def publish(name: str, path: str) -> None:
    """Give a complete output its final name: rename it, or upload it to its URL."""
    with io_errors(path, "written"):
        if not is_url(path):
            os.replace(name, path)
            return
        filesystem, target = filesystem_of(path)
        filesystem.put_file(name, target)


def keep_previous(path: str, scratch: Path, number: int) -> str | None:
    """A copy of what a destination holds, to put back if a later output cannot be published;
    None if it holds nothing. A local file is hard-linked (copied where links are refused) to a
    hidden `.NAME.previous` beside it, so putting it back is one rename. An object is downloaded
    to scratch rather than copied to a sibling key: the scratch folder goes however the run ends,
    while a sibling key would outlive a killed run and needs write access beside the output."""
    with io_errors(path, "copied before it is replaced"):
        if is_url(path):
            filesystem, target = filesystem_of(path)
            kept = scratch / f"{number}.previous"
            try:
                filesystem.get_file(target, str(kept))
            except FileNotFoundError:
                return None
            return str(kept)
        kept = Path(path).with_name(f".{Path(path).name}.previous")
        kept.unlink(missing_ok=True)  # left behind by a killed run
        try:
            os.link(path, kept, follow_symlinks=False)  # a symbolic link is kept as a link
        except FileNotFoundError:
            return None
        except OSError:  # a file system without hard links
            shutil.copy2(path, kept, follow_symlinks=False)
        return str(kept)


def put_back(path: str, kept: str | None) -> bool:
    """Undo publishing a destination: restore its kept copy, or remove it if it held nothing;
    False if that failed (best effort: the error that stopped publishing is the one reported)."""
    try:
        if is_url(path):
            filesystem, target = filesystem_of(path)
            if kept is None:
                filesystem.rm_file(target)
            else:
                filesystem.put_file(kept, target)
        elif kept is None:
            Path(path).unlink(missing_ok=True)
        else:
            os.replace(kept, path)
    except Exception:
        return False
    return True


def publish_all(names: Sequence[str], paths: Sequence[str], scratch: Path) -> None:
    """Publish each output, keeping first what its destination held; when one cannot be
    published, put the earlier ones back as they were, so that new scores never sit beside old
    rejects. The kept copies are removed however it ends."""
    copies: list[str] = []
    done: list[tuple[str, str | None]] = []  # destinations published, and what each held
    try:
        for number, (name, path) in enumerate(zip(names, paths, strict=True)):
            last = number == len(paths) - 1  # nothing comes after it that could fail
            kept = None if last else keep_previous(path, scratch, number)
            copies += [kept] if kept else []
            publish(name, path)
            done.append((path, kept))
    except ChurnError as error:
        if not done:
            raise
        failed = [path for path, kept in reversed(done) if not put_back(path, kept)]
        note = "the earlier outputs were left as they were"
        if failed:
            note = f"could not put back the earlier {', '.join(failed)}: check it by hand"
        raise ChurnError(f"{error}; {note}") from None
    finally:
        for copy in copies:
            Path(copy).unlink(missing_ok=True)


@contextmanager
def published(*paths: str) -> Iterator[list[str]]:
    """Names to write the outputs under; on success all are published under their paths (see
    publish_all), on failure removed, so that a failed run never leaves a partial file that looks
    like a result, nor replaces the result of an earlier run. Destinations are checked first."""
    for path in paths:
        check_destination(path)
    with tempfile.TemporaryDirectory(prefix="churn-outputs-") as scratch:
        partial = [partial_name(path, Path(scratch), n) for n, path in enumerate(paths)]
        try:
            yield partial
            with signals_deferred():  # a stop now would leave new scores beside old rejects
                publish_all(partial, paths, Path(scratch))
        finally:
            for name in partial:
                Path(name).unlink(missing_ok=True)


@contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back until the block is done, then let the first one act as usual,
    so that the outputs are published all together or not at all. (Python runs signal handlers
    in the main thread, whichever thread the signal reached: swapping them there is enough.)"""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    stops = (signal.SIGINT, signal.SIGTERM)
    previous = {stop: signal.signal(stop, lambda sig, _: caught.append(sig)) for stop in stops}
    try:
        yield
    finally:
        for stop, handler in previous.items():
            signal.signal(stop, handler)
        if caught:
            signal.raise_signal(caught[0])
