"""fsspec's file system for a local path or URL, refusing in one line a protocol it cannot serve."""

from __future__ import annotations

import fsspec

from churn.errors import ChurnError

# Object stores whose paths start with a bucket (or container): s3fs, gcsfs, adlfs.
BUCKET_PROTOCOLS = frozenset({"s3", "s3a", "gs", "gcs", "az", "abfs", "abfss"})


def filesystem_of(path: str) -> tuple[fsspec.AbstractFileSystem, str]:
    """(file system, path inside it); a ChurnError naming the path when fsspec knows no such
    protocol (foo://), its package is not installed (gs:// without gcsfs) or its client cannot
    start (hdfs:// without a JVM)."""
    try:
        return fsspec.core.url_to_fs(path)
    except (ImportError, ValueError, OSError) as error:
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise ChurnError(f"{path}: cannot be opened ({reason})") from None


def missing(path: str) -> str:
    """What a file not found at path lacks: an object store's bucket ("no such bucket 'b'": a
    misspelt bucket, which fsspec reports as a missing file), else the file ("no such file")."""
    filesystem, target = filesystem_of(path)
    protocol = filesystem.protocol
    protocols = {protocol} if isinstance(protocol, str) else set(protocol)
    bucket = target.lstrip("/").split("/", 1)[0]
    if protocols & BUCKET_PROTOCOLS and bucket:
        try:  # not exists(): it answers False for refused credentials and unreachable servers
            filesystem.info(bucket)
        except FileNotFoundError:
            return f"no such bucket '{bucket}'"
        except Exception:  # the store would not say: a missing file, as info() of it said
            pass
    return "no such file"
