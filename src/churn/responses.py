"""The API's response models: what /predict, /health and /model answer, and the error bodies."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, create_model

ERRORS_LISTED = 50  # a 422 lists this many errors: 10,000 bad records would make megabytes
NAME_CHARS = 100  # a field name echoed back is cut here: a 100,000-character key came back whole


class Prediction(BaseModel):
    id: str | None = Field(description="The record's id as sent; null when the request has none")
    churn_probability: float
    churn_decision: bool = Field(description="Whether churn_probability reaches the threshold")
    index: int = Field(description="Position of the record in the request, as in rejected")


class Rejection(BaseModel):
    index: int = Field(description="Position of the record in the request")
    reason: str = Field(description="The contract row rule it broke, e.g. null:customer_id")


class Scores(BaseModel):
    """The scored records, and what was refused, ignored or unknown in the request."""

    predictions: list[Prediction]
    model_version: str
    rejected: list[Rejection]
    ignored_fields: list[str] = Field(
        description=f"Fields the model does not use: the first {ERRORS_LISTED} in sorted order, "
        f"each cut to {NAME_CHARS} characters (then an ellipsis)"
    )
    ignored_field_count: int = Field(description="All the ignored fields; the list shows the first")
    unknown_categories: dict[str, int] = Field(description="Per field: values unseen in training")


def scores_model(snapshot: str) -> type[Scores]:
    """Scores whose predictions also carry the snapshot field (data.timestamp) as text, after
    the fixed fields; Scores itself when there is none."""
    if not snapshot or snapshot in Prediction.model_fields:
        return Scores
    about = Field(description="The record's snapshot as text, as batch scoring writes it; null "
                  "when it has none")  # fmt: skip
    prediction = create_model("Prediction", __base__=Prediction, **{snapshot: (str | None, about)})
    listed = (list[prediction], ...)  # type: ignore[valid-type]
    return create_model("Scores", __base__=Scores, __doc__=Scores.__doc__, predictions=listed)


class FieldError(BaseModel):
    loc: list[str | int] = Field(description='e.g. ["body", 1, "tenure_months"]')
    msg: str
    type: str
    input: Any = Field(None, description="The rejected value, when short")


class RequestError(BaseModel):
    """A 422: the fields that failed validation (the first 50), or why the contract refused the
    request."""

    detail: list[FieldError] | str
    error_count: int | None = Field(
        None, description=f"All the validation errors; detail lists the first {ERRORS_LISTED}"
    )


class TooLarge(BaseModel):
    """A 413: the request body is above CHURN_MAX_BODY_BYTES."""

    detail: str = Field(
        examples=["The body is 20000000 bytes (its Content-Length), above the limit of 16000000 "
                  "bytes (CHURN_MAX_BODY_BYTES): send fewer records per request, or use batch "
                  "scoring"]
    )  # fmt: skip


class NotJson(BaseModel):
    """A 415: the body was not sent as JSON (application/json or application/*+json), or was
    sent compressed (Content-Encoding)."""

    detail: str = Field(
        examples=["Content-Type 'text/plain': send the body as JSON with Content-Type: "
                  "application/json"]
    )  # fmt: skip


class Unreadable(BaseModel):
    """A 400: the body is not UTF-8 text, or its JSON is nested too deeply to parse; the detail
    says which."""

    detail: str = Field(
        examples=["The body is not UTF-8 text (byte 0xf1 at position 17): send the JSON encoded "
                  "as UTF-8, whatever charset the Content-Type names"]
    )  # fmt: skip


class Health(BaseModel):
    """Whether the server answers, with the model it serves; "stale" when files it loaded have
    changed on disk since (it still serves what it loaded: a restart loads the new files)."""

    status: Literal["ok", "stale"] = Field(examples=["ok"])
    model_version: str = Field(description="The version loaded at start, the one served")
    changed_files: list[str] = Field(
        description="Model, feature spec, params or contract files changed on disk since they "
        "were loaded"
    )
    note: str | None = Field(description="When stale: what changed, and that a restart loads it")


class ModelInfo(BaseModel):
    """The served model: version, threshold, evaluation metrics and its inputs."""

    model_version: str
    threshold: float = Field(description="churn_decision is churn_probability >= threshold")
    metrics: dict[str, Any] | None = Field(description="Evaluation metrics; null when absent")
    metrics_verified: bool = Field(description="Whether dvc.lock records them for this model")
    metrics_check: str = Field(description="How the metrics were checked, or why they were not")
    input_columns: list[str]
    features: list[str]


PREDICT_ERRORS: dict[int | str, dict[str, Any]] = {  # /predict's documented errors
    400: {"model": Unreadable, "description": "Body not UTF-8, or JSON nested too deeply"},
    413: {"model": TooLarge, "description": "Request body above CHURN_MAX_BODY_BYTES"},
    415: {"model": NotJson, "description": "Content-Type not application/json (or "
          "application/*+json), or a Content-Encoding such as gzip"},
    422: {"model": RequestError, "description": "Fields failed validation, a key repeated in one "
          "object, more records than CHURN_MAX_RECORDS, or the contract refused the request as a "
          "whole"},
}  # fmt: skip
