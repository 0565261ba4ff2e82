"""The model artifact: XGBoost JSON or a JSON logistic regression, loaded without pickle."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from churn.errors import ChurnError, json_kind, read_bytes, require_file
from churn.xgboost_import import xgb

LOGISTIC_KIND = "churn-logistic-regression"
# XGBoost refuses [, ] and < in feature names: given to it escaped as URLs spell them, with the
# names as written kept in a booster attribute (only then: other model files stay as they were)
XGBOOST_ESCAPES = str.maketrans({"[": "%5B", "]": "%5D", "<": "%3C"})
NAMES_ATTRIBUTE = "churn_feature_names"


@dataclass(frozen=True)
class LogisticModel:
    """Logistic regression with its own imputation and scaling, stored as plain numbers."""

    feature_names: list[str]
    medians: list[float]
    means: list[float]
    scales: list[float]
    coef: list[float]
    intercept: float
    kind: str = LOGISTIC_KIND

    def standardise(self, matrix: np.ndarray) -> np.ndarray:
        """Impute missing values with training medians, then scale to unit variance."""
        filled = np.where(np.isnan(matrix), np.asarray(self.medians), matrix)
        return (filled - np.asarray(self.means)) / np.asarray(self.scales)

    def predict(self, matrix: np.ndarray) -> np.ndarray:
        logits = self.standardise(matrix.astype(np.float64)) @ np.asarray(self.coef)
        return 1.0 / (1.0 + np.exp(-(logits + self.intercept)))


ChurnModel = xgb.Booster | LogisticModel


def shift_log_odds(model: ChurnModel, shift: float) -> ChurnModel:
    """The model with every score's log-odds moved by `shift`, stored in the artifact itself
    (XGBoost's base_score, the logistic intercept), so every reader of the file gets the same
    probabilities. Ranking is unchanged."""
    if isinstance(model, LogisticModel):
        return replace(model, intercept=model.intercept + shift)
    config = json.loads(model.save_config())["learner"]["learner_model_param"]["base_score"]
    base = float(config.strip("[]"))  # "[5E-1]" (XGBoost 3) or "5E-1"
    log_odds = np.log(base / (1.0 - base)) + shift
    shifted = model.copy()  # set_param changes a booster in place: the caller's stays as it was
    shifted.set_param({"base_score": repr(float(1.0 / (1.0 + np.exp(-log_odds))))})
    return shifted


def xgboost_names(names: Sequence[str]) -> list[str]:
    """Feature names as XGBoost takes them: [, ] and < escaped, other names as they are."""
    escaped: dict[str, str] = {}
    for name in names:
        twin = escaped.setdefault(name.translate(XGBOOST_ESCAPES), name)
        if twin != name:
            raise ChurnError(
                f"features {twin!r} and {name!r} are one name to XGBoost, which cannot hold "
                "[, ] or <: rename one of the columns"
            )
    return [name.translate(XGBOOST_ESCAPES) for name in names]


def keep_feature_names(booster: xgb.Booster, names: Sequence[str]) -> xgb.Booster:
    """A booster trained on xgboost_names(names), with names as written kept in it when they
    differ (feature_names_of reads them)."""
    if xgboost_names(names) != list(names):
        booster.set_attr(**{NAMES_ATTRIBUTE: json.dumps(list(names))})
    return booster


def feature_names_of(model: ChurnModel) -> list[str]:
    """The column order the model was trained on, named as the feature spec names them."""
    if isinstance(model, xgb.Booster) and (written := model.attr(NAMES_ATTRIBUTE)):
        return json.loads(written)
    return list(model.feature_names or [])


def feature_scores(model: ChurnModel) -> dict[str, float]:
    """Per feature (named as in the spec): total gain (XGBoost) or absolute standardised weight
    (logistic regression)."""
    if isinstance(model, LogisticModel):
        return dict(zip(model.feature_names, map(abs, model.coef), strict=True))
    written = dict(zip(model.feature_names or [], feature_names_of(model), strict=True))
    return {written[name]: s for name, s in model.get_score(importance_type="total_gain").items()}


def save_model(model: ChurnModel, path: Path | str) -> None:
    """Write the model as JSON (XGBoost's own format for boosters)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    if isinstance(model, LogisticModel):
        Path(path).write_text(json.dumps(asdict(model), indent=1) + "\n", encoding="utf-8")
    else:
        model.save_model(str(path))


XGBOOST_JSON_START = b'{"learner":'  # how XGBoost's own JSON model files begin


def parse_model(raw: bytes, where: str) -> ChurnModel:
    """A model from the bytes save_model wrote (no pickle); fails naming `where` when broken."""
    if raw.startswith(XGBOOST_JSON_START):  # no second parse of the trees in Python
        try:
            return booster_from_bytes(raw)
        except xgb.core.XGBoostError:
            pass  # broken: the checks below say how
    try:
        parsed = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:  # e.g. a Parquet file
        raise ChurnError(f"{where}: model file is not valid JSON") from error
    if not isinstance(parsed, dict):  # [], null, 5: valid JSON, yet no model
        raise ChurnError(f"{where}: not an XGBoost model (a JSON {json_kind(parsed)})")
    if parsed.get("kind") == LOGISTIC_KIND:
        try:
            return LogisticModel(**parsed)
        except TypeError as error:  # fields missing or unknown
            raise ChurnError(f"{where}: not a logistic model written by churn.train") from error
    try:
        return booster_from_bytes(raw)
    except xgb.core.XGBoostError as error:
        raise ChurnError(f"{where}: not an XGBoost model") from error


def booster_from_bytes(raw: bytes) -> xgb.Booster:
    booster = xgb.Booster()
    booster.load_model(bytearray(raw))
    return booster


def load_model(path: Path | str) -> ChurnModel:
    """Read a model written by save_model; fails with a clear message when absent or broken."""
    require_file(path, "model not found (run `dvc repro` or `dvc pull`)")
    return parse_model(read_bytes(path), str(path))


def align_features(matrix: pd.DataFrame, model: ChurnModel, where: str = "") -> np.ndarray:
    """Order the matrix columns as the model expects; fail naming any column it lacks (and
    the file, when where names it)."""
    names = feature_names_of(model)
    missing = [name for name in names if name not in matrix.columns]
    if missing:
        prefix = f"{where}: " if where else ""
        raise ChurnError(
            f"{prefix}model expects feature(s) not in the input: {', '.join(missing[:5])}"
        )
    if (matrix.dtypes == np.float32).all():  # transform's output
        values = matrix.to_numpy()
        if list(matrix.columns) == list(names):  # already in the model's order: no copy
            return values
        return values[:, matrix.columns.get_indexer(names)]
    return matrix[names].to_numpy(dtype=np.float32)


def predict_proba(model: ChurnModel, matrix: pd.DataFrame, where: str = "") -> np.ndarray:
    """Churn probability per row, from a feature matrix built by churn.model_matrix.transform
    (where: the file it came from, for errors)."""
    return predict_rows(model, align_features(matrix, model, where))


def predict_rows(model: ChurnModel, values: np.ndarray) -> np.ndarray:
    """Churn probability per row of align_features' float32 matrix; each row's probability
    depends on that row alone, so pieces of a matrix may be scored apart."""
    if isinstance(model, LogisticModel):
        return model.predict(values)
    return model.inplace_predict(values, validate_features=False).astype(np.float64)


@contextmanager
def threads_per_call(model: ChurnModel, threads: int) -> Iterator[None]:
    """XGBoost's threads per prediction call set to `threads` for a while (callers that score
    pieces of a matrix on threads of their own: XGBoost's threads wait on each other when
    the machine is busy); the booster's own setting is restored afterwards."""
    if isinstance(model, LogisticModel):
        yield
        return
    before = json.loads(model.save_config())["learner"]["generic_param"]["nthread"]
    set_threads(model, threads)
    try:
        yield
    finally:
        set_threads(model, int(before))


def set_threads(model: ChurnModel, threads: int) -> None:
    """XGBoost's threads per prediction call (a logistic model has none). A booster loaded from
    a file has none set: each call then spent 1-10 ms starting threads, even for one row."""
    if not isinstance(model, LogisticModel):
        model.set_param({"nthread": threads})
