"""The scoring API: `uvicorn churn.serve:app`; artifact paths come from CHURN_* variables."""

# No `from __future__ import annotations`: FastAPI must see the generated model in /predict.
import math
import os
import re
import sys
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
from churn.request_model import RECORD, RECORDS, SURROGATE, build_request_model, request_body
from churn.responses import (
    ERRORS_LISTED,
    Health,
    ModelInfo,
    RequestError,
    Scores,
    TooLarge,
    Unreadable,
)
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
    max_records: int = 10_000  # per request: 10x the bulk size we serve, a bound on 422 work

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
            positive_count(env, "CHURN_MAX_BODY_BYTES", default.max_body_bytes, "bytes"),
            Path(lock) if lock else params.parent / default.lock,  # next to params.yaml
            positive_count(env, "CHURN_MAX_RECORDS", default.max_records, "records"),
        )


def positive_count(env: dict[str, str], name: str, default: int, unit: str) -> int:
    """env[name] as a positive whole number; default when unset."""
    text = env.get(name)
    if text is None:
        return default
    if not re.fullmatch(r"[0-9]+", text.strip()) or not 1 <= int(text) < 2**63:  # a 64-bit int
        raise ChurnError(f"{name}={text!r}: expected a positive number of {unit}")
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
    if isinstance(value, str):  # JSON may escape a lone surrogate, which UTF-8 cannot encode
        return len(value) <= 100 and not SURROGATE.search(value)
    return value is None or isinstance(value, bool | int)


def field_error(error: dict) -> dict:
    """One validation error as the API reports it: `loc` with the field and record index (not
    the body-shape tag), message, type, and the rejected value only when it is short."""
    loc = [part for at, part in enumerate(error["loc"]) if at != 1 or part not in (RECORD, RECORDS)]
    detail = {"loc": loc, "msg": error["msg"], "type": error["type"]}
    if "input" in error and short_scalar(error["input"]):
        detail["input"] = error["input"]
    return detail


async def validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
    """422 naming the bad fields, the first ERRORS_LISTED of them, without echoing the request
    (which may hold NaN)."""
    errors = error.errors()
    listed = [field_error(one) for one in errors[:ERRORS_LISTED]]
    return JSONResponse(status_code=422, content={"detail": listed, "error_count": len(errors)})


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
    400: {"model": Unreadable, "description": "Body not UTF-8, or JSON nested too deeply"},
    413: {"model": TooLarge, "description": "Request body above CHURN_MAX_BODY_BYTES"},
    422: {"model": RequestError, "description": "Fields failed validation, more records than "
          "CHURN_MAX_RECORDS, or the contract refused the request as a whole"},
}  # fmt: skip


def add_routes(app: FastAPI, artifacts: Artifacts, body_type: Any, about: dict[str, Any]) -> None:
    """/health, /model and /predict, closed over the loaded artifacts."""

    @app.get("/health", response_model=Health)
    def health() -> dict[str, str]:
        return {"status": "ok", "model_version": artifacts.version}

    @app.get("/model", response_model=ModelInfo)
    def model_info() -> dict[str, Any]:
        return about

    @app.post("/predict", response_model=Scores, responses=PREDICT_ERRORS)
    def predict(body: Annotated[body_type, Body()]) -> dict[str, Any]:  # type: ignore[valid-type]
        try:
            return score_records(body if isinstance(body, list) else [body], artifacts)
        except ChurnError as error:  # the contract refused the request as a whole
            raise HTTPException(status_code=422, detail=str(error)) from None


def create_app(settings: Settings) -> FastAPI:
    """Load and cross-check the artifacts, then build the app; ChurnError when they are unusable."""
    artifacts = load_workspace(
        settings.model, settings.features, settings.params, settings.contract
    )
    customer = build_request_model(
        artifacts.contract, artifacts.spec, artifacts.id_column, artifacts.data.timestamp
    )
    body_type = request_body(customer, settings.max_records)
    app = FastAPI(title="churn-dvc scoring API", version=artifacts.version)
    add_routes(app, artifacts, body_type, describe_model(settings, artifacts))
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
