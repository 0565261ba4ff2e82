"""The scoring API's settings (artifact paths and limits, from CHURN_* variables), checked at
start, and its health: whether the files it loaded are still the ones on disk."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from churn.applied_contract import APPLIED_CONTRACT
from churn.data_params import contract_location
from churn.errors import ChurnError, refuse_folder
from churn.params import read_params_file


@dataclass(frozen=True)
class Settings:
    """Where the artifacts are; every value can be set with an environment variable."""

    model: Path = Path("models/model.json")
    features: Path = Path("models/features.json")
    params: Path = Path("params.yaml")
    metrics: Path = Path("metrics/evaluate/metrics.json")
    contract: Path | None = None
    # 10,000 records (max_records) of ~480 bytes as compact JSON, ~750 indented by 4: 16 MB
    # leaves twice the room of pretty-printed JSON (4 MB refused 10,000 compact records)
    max_body_bytes: int = 16_000_000
    lock: Path = Path("dvc.lock")  # ties the metrics to the model they were computed for
    max_records: int = 10_000  # per request: 10x the bulk size we serve, a bound on 422 work
    lock_given: bool = False  # CHURN_DVC_LOCK set: the file must exist (the default may not)
    metrics_given: bool = False  # CHURN_METRICS set: the file must exist (the default may not)
    applied_contract: Path = Path(APPLIED_CONTRACT)  # validate's: when data.contract is ""
    cors_origins: tuple[str, ...] = ()  # web pages of these origins may call the API; none

    @classmethod
    def from_env(cls, env: dict[str, str]) -> Settings:
        default = cls()
        contract, lock = env.get("CHURN_CONTRACT"), env.get("CHURN_DVC_LOCK")
        params, metrics = Path(env.get("CHURN_PARAMS", default.params)), env.get("CHURN_METRICS")
        return cls(
            Path(env.get("CHURN_MODEL", default.model)),
            Path(env.get("CHURN_FEATURES", default.features)),
            params,
            Path(metrics) if metrics else default.metrics,
            Path(contract) if contract else None,
            positive_count(env, "CHURN_MAX_BODY_BYTES", default.max_body_bytes, "bytes"),
            Path(lock) if lock else params.parent / default.lock,  # next to params.yaml
            positive_count(env, "CHURN_MAX_RECORDS", default.max_records, "records"),
            bool(lock),
            bool(metrics),
            Path(env.get("CHURN_APPLIED_CONTRACT", default.applied_contract)),
            cors_origins(env.get("CHURN_CORS_ORIGINS", "")),
        )


def positive_count(env: dict[str, str], name: str, default: int, unit: str) -> int:
    """env[name] as a positive whole number; default when unset."""
    text = env.get(name)
    if text is None:
        return default
    if not re.fullmatch(r"[0-9]+", text.strip()) or not 1 <= int(text) < 2**63:  # a 64-bit int
        raise ChurnError(f"{name}={text!r}: expected a positive number of {unit}")
    return int(text)


def cors_origins(text: str) -> tuple[str, ...]:
    """CHURN_CORS_ORIGINS: origins as browsers send them (scheme, host, port), separated by
    commas or spaces, or * for any; written otherwise (case, a trailing slash, a default port)
    they are normalised, and anything with a path or no scheme is refused."""
    origins = []
    for entry in filter(None, re.split(r"[,\s]+", text)):
        match = re.fullmatch(r"([A-Za-z][A-Za-z0-9+.-]*)://([^/?#@\s]+)/?", entry)
        if entry != "*" and not match:
            raise ChurnError(
                f"CHURN_CORS_ORIGINS: {entry!r} is not an origin: write its scheme, host and "
                "port as a browser sends them, e.g. https://app.example.com, or * for any"
            )
        scheme, host = (match[1].lower(), match[2].lower()) if match else ("", "")
        port = {"http": ":80", "https": ":443"}.get(scheme, "")
        origins.append(f"{scheme}://{host.removesuffix(port)}" if match else "*")
    return tuple(dict.fromkeys(origins))


def check_paths(settings: Settings) -> None:
    """Refuse a path that names a folder, and a CHURN_DVC_LOCK or CHURN_METRICS that names no
    file: only their defaults may be absent (the metrics are then reported unchecked, or null)."""
    paths = [settings.model, settings.features, settings.params, settings.metrics, settings.lock]
    for path in [*paths, settings.contract, settings.applied_contract]:
        if path is not None:
            refuse_folder(path)
    if settings.lock_given and not settings.lock.exists():
        raise ChurnError(f"{settings.lock}: not found (CHURN_DVC_LOCK)")
    if settings.metrics_given and not settings.metrics.exists():
        raise ChurnError(f"{settings.metrics}: not found (CHURN_METRICS)")


def contract_file(settings: Settings) -> list[Path]:
    """The contract file the server will read, to watch for /health: CHURN_CONTRACT, else
    params' data.contract relative to params.yaml's folder, else (data.contract "") the one
    validate applied (CHURN_APPLIED_CONTRACT)."""
    if settings.contract:
        return [settings.contract]
    try:
        data = read_params_file(settings.params).get("data")
    except ChurnError:  # loading the artifacts reports it, after a missing model
        return []
    name = data.get("contract") if isinstance(data, dict) else None
    if isinstance(name, str) and name:
        return [contract_location(settings.params, name)]
    return [settings.applied_contract]


Stamp = tuple[int, int] | None  # a file's size and mtime in ns; None when it is gone


def file_stamp(path: Path) -> Stamp:
    """What tells a file may have changed on disk, cheaply: its size and modification time."""
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_size, info.st_mtime_ns


def file_digest(path: Path) -> str | None:
    try:
        return hashlib.md5(path.read_bytes()).hexdigest()
    except OSError:
        return None


class LoadedFiles:
    """The files the server loaded, to tell which changed on disk since: a new size or
    modification time is confirmed by the content (touch, git checkout and dvc checkout rewrite
    identical files), each file read again only when its stamp moved."""

    def __init__(self, paths: Iterable[Path]) -> None:
        self.stamps = {path: file_stamp(path) for path in paths}  # before loading: no change
        self.digests = {path: file_digest(path) for path in self.stamps}  # is missed

    def changed(self) -> list[str]:
        changed = []
        for path, stamp in self.stamps.items():
            now = file_stamp(path)
            if now == stamp:
                continue
            if now is not None and file_digest(path) == self.digests[path]:
                self.stamps[path] = now  # the same content: nothing to report, now or later
                continue
            changed.append(str(path))
        return changed


def stale_note(changed: list[str], version: str) -> str | None:
    """What /health says of changed files: a restart loads them, unless some are gone (or a
    folder now), when a restart would fail. Only looked at, not loaded: /health stays cheap."""
    if not changed:
        return None
    note = f"changed on disk since the server loaded them: {', '.join(changed)}; "
    gone = [path for path in changed if not Path(path).is_file()]
    if not gone:
        return f"{note}still serving {version}, a restart loads them"
    back = "it is" if len(gone) == 1 else "they are"
    return (
        f"{note}still serving {version}; {', '.join(gone)} removed since start: "
        f"a restart would fail until {back} back"
    )


def health_of(files: LoadedFiles, version: str) -> dict[str, Any]:
    """/health: "stale", naming the files, when a loaded file changed on disk since."""
    changed = files.changed()
    return {
        "status": "stale" if changed else "ok",
        "model_version": version,
        "changed_files": changed,
        "note": stale_note(changed, version),
    }
