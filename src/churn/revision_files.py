"""Files as committed at a git revision (tag, branch, hash), read through dvc.api: DVC
outputs from the cache or the remote, git-tracked files from the commit."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

from churn.errors import ChurnError
from churn.revisions import require_git_repository


def read_at_rev(path: str, rev: str) -> bytes:
    """A DVC- or git-tracked file as it was at a git revision (through dvc.api)."""
    import dvc.api  # slow import: only when a revision is asked for
    from dvc.config import ConfigError
    from dvc.exceptions import PathMissingError
    from dvc.utils.serialize import EncodingError

    path_in_repository = repository_path(path)
    try:
        return dvc.api.read(path_in_repository, rev=rev, mode="rb")
    except PathMissingError:
        if is_dvc_output(path, rev):
            raise ChurnError(
                f"{path}@{rev}: a DVC output whose data is in neither the DVC cache nor the remote"
                f" (run `dvc fetch --all-commits`, or `dvc pull` in a checkout of {rev}; or "
                "`dvc push` it from where it was made)"
            ) from None
        raise ChurnError(f"{path}@{rev}: no such file at that revision") from None
    except EncodingError as error:  # a file DVC reads at rev (params.yaml, dvc.yaml ...)
        raise ChurnError(not_utf8_at_rev(error, rev)) from None
    except ConfigError as error:  # not the file's fault: DVC reads rev's config and local's
        raise ChurnError(
            f"--rev {rev}: DVC's settings at {rev}, with this checkout's .dvc/config.local on top, "
            f"are not valid ({error}); a local setting may name a remote that {rev} does not have"
        ) from None
    except Exception as error:  # dvc raises many unrelated types for a bad rev or path
        raise ChurnError(
            f"{path}@{rev}: cannot be read ({type(error).__name__}: {error})"
        ) from None


def repository_path(path: str) -> str:
    """A path as dvc.api reads it at a revision: an absolute one inside this clone made relative
    to its root (dvc.api looked it up as given, and found nothing)."""
    if not Path(path).is_absolute():
        return path
    root = subprocess.run(["git", "rev-parse", "--show-toplevel"], capture_output=True, text=True)
    top = Path(root.stdout.strip()).resolve()
    # the folder resolved, not the file: a DVC checkout may link the file into the cache
    given = Path(path).parent.resolve() / Path(path).name
    if root.returncode != 0 or not given.is_relative_to(top):
        raise ChurnError(f"{path}: not inside this repository (--rev reads its files)")
    return given.relative_to(top).as_posix()


def is_dvc_output(path: str, rev: str) -> bool:
    """Whether path is (inside) a DVC output at rev, whether or not its data can be had."""
    from dvc.fs import DVCFileSystem

    try:
        return DVCFileSystem(rev=rev).isdvc(path)
    except Exception:  # the question only chooses between two messages
        return False


def exists_at_rev(path: str, rev: str) -> bool:
    """Whether a DVC output or git-tracked file exists at rev (its data need not be at hand).
    A file DVC reads at rev that is not UTF-8 (a Latin-1 params.yaml) stops, naming it: DVC's
    exists() answered False, which read as "no such file"."""
    from dvc.fs import DVCFileSystem
    from dvc.utils.serialize import EncodingError

    try:
        DVCFileSystem(rev=rev).info(repository_path(path))
    except EncodingError as error:
        raise ChurnError(not_utf8_at_rev(error, rev)) from None
    except Exception:  # what exists() answers False for
        return False
    return True


def not_utf8_at_rev(error, rev: str) -> str:
    """One line for DVC's EncodingError: the file it could not read at rev (DVC names a file of
    the revision's root relative to the working folder, ../../dvc.yaml), and what to do."""
    path = re.sub(r"^(?:\.\./|/)+", "", str(error.path))
    return (
        f"{path}@{rev}: not UTF-8 text, so DVC cannot read revision {rev}; save the file "
        f"as UTF-8 in a new commit, or compare with another revision"
    )


def resolve_rev(rev: str) -> str:
    """The short commit hash a revision (tag, branch, hash) points at."""
    require_git_repository(f"--rev {rev}")
    result = subprocess.run(
        ["git", "rev-parse", "--short=10", f"{rev}^{{commit}}"], capture_output=True, text=True
    )
    if result.returncode != 0:
        raise ChurnError(f"--rev {rev}: not a git revision of this repository")
    return result.stdout.strip()


def read_json_at(path: str, rev: str | None) -> Any | None:
    """A JSON file at a revision (via dvc.api.read) or in the workspace; None when absent."""
    if rev is None:
        file = Path(path)
        data = file.read_bytes() if file.is_file() else None
    else:
        import dvc.api  # slow import: only when a revision is asked for
        from dvc.exceptions import DvcException

        try:
            data = dvc.api.read(path, rev=rev, mode="rb")
        except (DvcException, FileNotFoundError):
            data = None
    if data is None:
        return None
    where = f"{path} at {rev or 'workspace'}"
    try:
        return json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        bad = error.object[error.start : error.start + 1].hex()
        raise ChurnError(f"{where}: not UTF-8 text (byte 0x{bad}); save it as UTF-8") from None
    except json.JSONDecodeError as error:
        raise ChurnError(f"{where}: not valid JSON ({error.msg})") from error
