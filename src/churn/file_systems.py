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
