"""Whether an object-store `ingest.source` can be read at all, asked before `dvc repro`.

DVC hashes an `s3://` source before the ingest stage runs, so without credentials it stops with
its own line naming the stage (`failed to reproduce 'ingest': Unable to locate credentials`),
not the param to fix. `make repro` asks here first (through `churn.check_params`)."""

from __future__ import annotations

from typing import Any

S3_SCHEMES = ("s3://", "s3a://")  # what s3fs (DVC's too, through dvc-s3) registers
CREDENTIAL_SETTINGS = (
    "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE or ~/.aws/credentials"
)


def is_s3_url(source: str) -> bool:
    return source.strip().lower().startswith(S3_SCHEMES)


def s3_credentials_problem() -> str | None:
    """Why the AWS credential chain (environment, profile, config files, container or instance
    role) yields nothing, or None when it yields credentials. Looked up as botocore does for
    s3fs and dvc-s3; nothing is sent to S3."""
    import botocore.exceptions
    import botocore.session

    try:
        credentials = botocore.session.get_session().get_credentials()
    except botocore.exceptions.BotoCoreError as error:  # e.g. AWS_PROFILE names no profile
        return str(error)
    if credentials is None:
        return f"no AWS credentials found (set {CREDENTIAL_SETTINGS})"
    return None


def source_problem(raw: dict[str, Any]) -> str | None:
    """ "ingest.source: URL: why it cannot be read" for an s3:// source without credentials, or
    None (local sources and other URLs are left to the ingest stage)."""
    section = raw.get("ingest")
    source = section.get("source") if isinstance(section, dict) else None
    if not isinstance(source, str) or not is_s3_url(source):
        return None
    problem = s3_credentials_problem()
    return f"ingest.source: {source}: {problem}" if problem else None
