"""The scoring API: `uvicorn churn.serve:app`; artifact paths come from CHURN_* variables."""

# No `from __future__ import annotations`: FastAPI must see the generated model in /predict.
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
from fastapi import Body, FastAPI, HTTPException
from fastapi.exceptions import RequestValidationError
from fastapi_offline import FastAPIOffline
from pydantic import BaseModel, TypeAdapter

from churn.artifacts import Artifacts, load_workspace
from churn.customer_keys import text_of_rows
from churn.errors import ChurnError, read_json_object
from churn.field_errors import validation_error
from churn.methods import answer_head, method_not_allowed, not_found
from churn.model import set_threads
from churn.predict_route import JsonBodyRoute
from churn.request_examples import request_examples
from churn.request_model import build_request_model, model_inputs, request_body, shortened
from churn.responses import (
    ERRORS_LISTED,
    PREDICT_ERRORS,
    Health,
    ModelInfo,
    scores_model,
)
from churn.revisions import check_metrics_pair, threshold_check
from churn.scoring import REJECT_REASON, Checked, check_chunk, row_ids, score_frame
from churn.serve_http import add_http_layer
from churn.serve_settings import LoadedFiles, Settings, check_paths, contract_file, health_of

PROG = "churn.serve"
POSITION = "__position__"  # record index in the request, echoed for rejected records


def read_metrics(path: Path) -> dict | None:
    """The evaluation metrics of the served model, or None when the file is absent."""
    if not path.exists():
        return None
    return read_json_object(path)


def score_records(records: list[BaseModel], artifacts: Artifacts) -> dict[str, Any]:
    """Score validated records through the batch path: contract, features, model."""
    if not records:
        return {"predictions": [], "model_version": artifacts.version, "rejected": [],
                "ignored_fields": [], "ignored_field_count": 0,
                "unknown_categories": {}}  # fmt: skip
    fields = list(type(records[0]).model_fields)
    frame = pd.DataFrame([r.model_dump(include=set(fields)) for r in records], columns=fields)
    if artifacts.id_column in frame.columns and frame[artifacts.id_column].isna().all():
        frame = frame.drop(columns=artifacts.id_column)  # ids are optional in the API
    checked = check_chunk(frame.assign(**{POSITION: range(len(frame))}), artifacts, "request")
    ids = row_ids(checked, artifacts.id_column, 0)
    scores = score_frame(checked.valid, artifacts, ids, checked.encoded)
    if artifacts.id_column not in frame.columns:
        scores["id"] = None
    rejected = checked.rejected
    ignored = sorted({key for record in records for key in (record.model_extra or {})})
    return {
        "predictions": predictions(scores, frame, checked, artifacts.data.timestamp),
        "model_version": artifacts.version,
        "rejected": [  # read from the two columns: a frame's to_dict cost ~1.5 ms per request
            {"index": int(at), "reason": reason}
            for at, reason in zip(rejected[POSITION], rejected[REJECT_REASON], strict=True)
        ],
        "ignored_fields": [shortened(name) for name in ignored[:ERRORS_LISTED]],
        "ignored_field_count": len(ignored),
        "unknown_categories": {col: n for col, n in checked.unknown.items() if n},
    }


def predictions(
    scores: pd.DataFrame, frame: pd.DataFrame, checked: Checked, snapshot: str
) -> list[dict[str, Any]]:
    """The scores, each with its record's index in the request and, when the request model has
    the snapshot field, its snapshot as text (as batch scoring writes it; null when none)."""
    # as to_dict(orient="records") of the scores would, from Python lists (~3x cheaper)
    values = {name: scores[name].tolist() for name in scores.columns if name != "model_version"}
    values["index"] = checked.positions.tolist()
    if snapshot in frame.columns and snapshot not in scores.columns:
        text = text_of_rows(frame[snapshot], checked.positions).to_numpy(object, na_value=None)
        values[snapshot] = text.tolist()  # None stays None
    return [dict(zip(values, row, strict=True)) for row in zip(*values.values(), strict=True)]


def describe_model(settings: Settings, artifacts: Artifacts) -> dict[str, Any]:
    """What /model reports: version, threshold, inputs, and the metrics with whether dvc.lock
    confirmed they were computed for this model (refuses to start when it says otherwise)."""
    metrics = read_metrics(settings.metrics)
    if metrics is None:
        unchecked = f"no metrics file at {settings.metrics}"
    else:
        unchecked = check_metrics_pair(settings.lock, settings.model, settings.metrics)
        unchecked = unchecked or threshold_check(settings.lock, artifacts.threshold)
    return {
        "model_version": artifacts.version,
        "threshold": artifacts.threshold,
        "metrics": metrics,
        "metrics_verified": unchecked is None,
        "metrics_check": unchecked or f"{settings.lock} records these metrics for this model",
        "input_columns": artifacts.spec.input_columns,
        "features": artifacts.spec.feature_names,
    }


def add_status_routes(app: FastAPI, artifacts: Artifacts, about: dict, files: LoadedFiles) -> None:
    """/health and /model, GET and HEAD (uptime checkers send HEAD; one route each: one
    operation id)."""

    def health() -> dict[str, Any]:
        return health_of(files, artifacts.version)

    def model_info() -> dict[str, Any]:
        return about

    for method in ("GET", "HEAD"):
        app.add_api_route("/health", health, methods=[method], response_model=Health)
        app.add_api_route("/model", model_info, methods=[method], response_model=ModelInfo)


def add_routes(
    app: FastAPI,
    artifacts: Artifacts,
    body_type: Any,
    about: dict[str, Any],
    files: LoadedFiles,
) -> None:
    """/health, /model and /predict, closed over the loaded artifacts (and
    app.state.max_records)."""
    add_status_routes(app, artifacts, about, files)
    inputs = model_inputs(artifacts.contract, artifacts.spec)
    examples = request_examples(inputs, artifacts.spec, artifacts.id_column, app.state.max_records)
    sent = Body(openapi_examples=examples)  # whole bodies, valid and scored: "Try it out" sends one

    def predict(body: Annotated[body_type, sent]) -> dict[str, Any]:  # type: ignore[valid-type]
        try:
            return score_records(body if isinstance(body, list) else [body], artifacts)
        except ChurnError as error:  # the contract refused the request as a whole
            raise HTTPException(status_code=422, detail=str(error)) from None

    answer = scores_model(artifacts.data.timestamp)  # predictions show the snapshot field
    app.router.add_api_route(
        "/predict", predict, methods=["POST"], response_model=answer, responses=PREDICT_ERRORS,
        route_class_override=JsonBodyRoute,
    )  # fmt: skip


def create_app(settings: Settings) -> FastAPI:
    """Load and cross-check the artifacts, then build the app; ChurnError when they are unusable."""
    check_paths(settings)
    loaded = (settings.model, settings.features, settings.params, *contract_file(settings))
    files = LoadedFiles(loaded)  # before reading them: a change meanwhile is not missed
    artifacts = load_workspace(
        settings.model,
        settings.features,
        settings.params,
        settings.contract,
        settings.applied_contract,
    )
    set_threads(artifacts.model, 1)  # one per request: uvicorn serves requests side by side
    customer = build_request_model(
        artifacts.contract, artifacts.spec, artifacts.id_column, artifacts.data.timestamp
    )
    body_type = request_body(customer, settings.max_records)
    # /docs and /redoc load Swagger UI and ReDoc from the server, not a CDN: they work offline
    app = FastAPIOffline(title="churn-dvc scoring API", version=artifacts.version)
    app.state.max_records = settings.max_records  # read by predict_route, with:
    app.state.body_type = TypeAdapter(body_type)  # validated in a worker thread
    add_routes(app, artifacts, body_type, describe_model(settings, artifacts), files)
    answer_head(app)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(404, not_found)
    app.add_exception_handler(405, method_not_allowed)
    add_http_layer(app, settings.max_body_bytes, settings.cors_origins)
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
        try:
            return app_from_env()
        except AttributeError as error:  # uvicorn would say "Attribute app not found" instead
            raise RuntimeError(f"{PROG}: building the app failed: {error!r}") from error
    raise AttributeError(name)
