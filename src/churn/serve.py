"""The scoring API: `uvicorn churn.serve:app`; artifact paths come from CHURN_* variables."""

# No `from __future__ import annotations`: FastAPI must see the generated model in /predict.
import math
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
from fastapi import Body, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from churn.artifacts import Artifacts, load_workspace
from churn.body_limit import BodySizeLimit
from churn.errors import ChurnError, read_json_object
from churn.request_model import RequestError, Scores, TooLarge, build_request_model
from churn.revisions import check_metrics_pair
from churn.scoring import check_chunk, row_ids, score_frame

PROG = "churn.serve"
POSITION = "__position__"  # record index in the request, echoed for rejected records


@dataclass(frozen=True)
class Settings:
    """Where the artifacts are; every value can be set with an environment variable."""

    model: Path = Path("models/model.json")
    features: Path = Path("models/features.json")
    params: Path = Path("params.yaml")
    metrics: Path = Path("metrics/evaluate/metrics.json")
    contract: Path | None = None
    max_body_bytes: int = 4_000_000
    lock: Path = Path("dvc.lock")  # ties the metrics to the model they were computed for

    @classmethod
    def from_env(cls, env: dict[str, str]) -> "Settings":
        default = cls()
        contract, lock = env.get("CHURN_CONTRACT"), env.get("CHURN_DVC_LOCK")
        params = Path(env.get("CHURN_PARAMS", default.params))
        return cls(
            Path(env.get("CHURN_MODEL", default.model)),
            Path(env.get("CHURN_FEATURES", default.features)),
            params,
            Path(env.get("CHURN_METRICS", default.metrics)),
            Path(contract) if contract else None,
            byte_count(env.get("CHURN_MAX_BODY_BYTES"), default.max_body_bytes),
            Path(lock) if lock else params.parent / default.lock,  # next to params.yaml
        )


def byte_count(text: str | None, default: int) -> int:
    """CHURN_MAX_BODY_BYTES as a positive whole number; default when unset."""
    if text is None:
        return default
    if not re.fullmatch(r"[0-9]+", text.strip()) or int(text) < 1:
        raise ChurnError(f"CHURN_MAX_BODY_BYTES={text!r}: expected a positive number of bytes")
    return int(text)


def read_metrics(path: Path) -> dict | None:
    """The evaluation metrics of the served model, or None when the file is absent."""
    if not path.exists():
        return None
    return read_json_object(path)


def score_records(records: list[BaseModel], artifacts: Artifacts) -> dict[str, Any]:
    """Score validated records through the batch path: contract, features, model."""
    if not records:
        return {"predictions": [], "model_version": artifacts.version, "rejected": [],
                "ignored_fields": [], "unknown_categories": {}}  # fmt: skip
    fields = list(type(records[0]).model_fields)
    frame = pd.DataFrame([r.model_dump(include=set(fields)) for r in records], columns=fields)
    if artifacts.id_column in frame.columns and frame[artifacts.id_column].isna().all():
        frame = frame.drop(columns=artifacts.id_column)  # ids are optional in the API
    checked = check_chunk(frame.assign(**{POSITION: range(len(frame))}), artifacts, "request")
    scores = score_frame(checked.valid, artifacts, row_ids(checked, artifacts.id_column, 0))
    if artifacts.id_column not in frame.columns:
        scores["id"] = None
    rejected = checked.rejected.rename(columns={"reject_reason": "reason"})
    return {
        "predictions": scores.drop(columns="model_version").to_dict(orient="records"),
        "model_version": artifacts.version,
        "rejected": [
            {"index": int(row[POSITION]), "reason": row["reason"]}
            for row in rejected[[POSITION, "reason"]].to_dict(orient="records")
        ],
        "ignored_fields": sorted({k for r in records for k in (r.model_extra or {})}),
        "unknown_categories": {col: n for col, n in checked.unknown.items() if n},
    }


def short_scalar(value: Any) -> bool:
    """Whether a rejected value can be echoed back: a short, JSON-safe scalar."""
    if isinstance(value, float):
        return math.isfinite(value)
    return (
        value is None
        or isinstance(value, bool | int)
        or (isinstance(value, str) and len(value) <= 100)
    )


def validation_details(errors: Sequence[dict], body: Any) -> list[dict]:
    """The validation errors of the shape the body has (one record, or a list of them), each
    with its field and record index in `loc`; the rejected value only when it is short."""
    branch = "list[" if isinstance(body, list) else "Customer"
    mine = [e for e in errors if len(e["loc"]) < 2 or str(e["loc"][1]).startswith(branch)]
    details = []
    for error in mine or errors:
        loc = [part for part in error["loc"] if not str(part).startswith(("list[", "Customer"))]
        detail = {"loc": loc, "msg": error["msg"], "type": error["type"]}
        if "input" in error and short_scalar(error["input"]):
            detail["input"] = error["input"]
        details.append(detail)
    return details


async def validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
    """422 naming each bad field, without echoing the whole request (which may hold NaN)."""
    return JSONResponse(
        status_code=422, content={"detail": validation_details(error.errors(), error.body)}
    )


def describe_model(settings: Settings, artifacts: Artifacts) -> dict[str, Any]:
    """What /model reports: version, threshold, inputs, and the metrics with whether dvc.lock
    confirmed they were computed for this model (refuses to start when it says otherwise)."""
    metrics = read_metrics(settings.metrics)
    if metrics is None:
        unchecked = f"no metrics file at {settings.metrics}"
    else:
        unchecked = check_metrics_pair(settings.lock, settings.model, settings.metrics)
    return {
        "model_version": artifacts.version,
        "threshold": artifacts.threshold,
        "metrics": metrics,
        "metrics_verified": unchecked is None,
        "metrics_check": unchecked or f"{settings.lock} records these metrics for this model",
        "input_columns": artifacts.spec.input_columns,
        "features": artifacts.spec.feature_names,
    }


PREDICT_ERRORS: dict[int | str, dict[str, Any]] = {
    413: {"model": TooLarge, "description": "Request body above CHURN_MAX_BODY_BYTES"},
    422: {"model": RequestError, "description": "Fields failed validation, or the contract "
          "refused the request as a whole"},
}  # fmt: skip


def add_routes(
    app: FastAPI, artifacts: Artifacts, customer: type[BaseModel], about: dict[str, Any]
) -> None:
    """/health, /model and /predict, closed over the loaded artifacts."""

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok", "model_version": artifacts.version}

    @app.get("/model")
    def model_info() -> dict[str, Any]:
        return about

    @app.post("/predict", response_model=Scores, responses=PREDICT_ERRORS)
    def predict(body: Annotated[customer | list[customer], Body()]) -> dict[str, Any]:  # type: ignore[valid-type]
        try:
            return score_records(body if isinstance(body, list) else [body], artifacts)
        except ChurnError as error:  # the contract refused the request as a whole
            raise HTTPException(status_code=422, detail=str(error)) from None


def create_app(settings: Settings) -> FastAPI:
    """Load and cross-check the artifacts, then build the app; ChurnError when they are unusable."""
    artifacts = load_workspace(
        settings.model, settings.features, settings.params, settings.contract
    )
    customer = build_request_model(artifacts.contract, artifacts.spec, artifacts.id_column)
    app = FastAPI(title="churn-dvc scoring API", version=artifacts.version)
    add_routes(app, artifacts, customer, describe_model(settings, artifacts))
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    return app


def app_from_env() -> FastAPI:
    """The app for `uvicorn churn.serve:app`; refuses to start, in one line, on bad artifacts."""
    try:
        return create_app(Settings.from_env(dict(os.environ)))
    except (ChurnError, ValueError) as error:
        print(f"{PROG}: error: cannot start: {error}", file=sys.stderr)
        raise SystemExit(2) from None


def __getattr__(name: str) -> FastAPI:
    # `app` is built on first access, so importing this module has no side effects.
    if name == "app":
        return app_from_env()
    raise AttributeError(name)
