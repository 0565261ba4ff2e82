"""Evaluate stage: score the test split, overall and per slice, and log metrics and plots."""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Mapping, Sequence
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
from dvclive import Live
from sklearn import metrics
from sklearn.calibration import calibration_curve

from churn.data_params import check_label_column
from churn.errors import ChurnError, CliParser, run_cli
from churn.model import ChurnModel, feature_names_of, feature_scores, load_model, predict_proba
from churn.outputs import check_destination
from churn.params import PARAMS_FILE, EvaluateParams, load_section
from churn.stage_live import open_live
from churn.tables import read_parquet
from churn.typed_sections import ParamsValueError, naming_params_file

TOP_FEATURES = 20
CURVE_POINTS = 200


def top_share_metrics(labels: np.ndarray, scores: np.ndarray, fraction: float) -> dict[str, float]:
    """Precision among the highest-scored `fraction` of customers, and its lift over the base."""
    # the fraction as written: 100 * 0.07 is 7.000000000000001 in floats, whose ceiling is 8
    count = math.ceil(len(scores) * Fraction(str(fraction)))  # >= 1: rows and fraction > 0
    top = np.argsort(-scores, kind="stable")[:count]
    precision = float(labels[top].mean())
    base_rate = float(labels.mean())
    return {"precision_top": precision, "lift_top": precision / base_rate if base_rate else 0.0}


def classification_metrics(
    labels: np.ndarray, scores: np.ndarray, threshold: float, top_fraction: float
) -> dict[str, float]:
    """Ranking, probability and decision metrics; ranking ones only when both classes occur."""
    if len(labels) == 0:
        return {"rows": 0.0}
    decisions = scores >= threshold
    result = {"rows": float(len(labels)), "churn_rate": float(labels.mean())}
    if len(np.unique(labels)) == 2:
        result |= {
            "roc_auc": metrics.roc_auc_score(labels, scores),
            "pr_auc": metrics.average_precision_score(labels, scores),
            "log_loss": metrics.log_loss(labels, scores, labels=[0, 1]),
        }
    result |= {
        "brier": metrics.brier_score_loss(labels, scores),
        "precision": metrics.precision_score(labels, decisions, zero_division=0),
        "recall": metrics.recall_score(labels, decisions, zero_division=0),
        "f1": metrics.f1_score(labels, decisions, zero_division=0),
        **top_share_metrics(labels, scores, top_fraction),
    }
    return {name: round(float(value), 6) for name, value in result.items()}


def slice_masks(
    raw: pd.DataFrame, slices: Mapping[str, str], target: str = "", prog: str = "evaluate"
) -> dict[str, np.ndarray]:
    """Boolean row masks for each named slice query; a slice whose columns are absent is skipped,
    one that matches no row is kept and warned about on stderr (target: the label column, 0/1
    by then, whatever data.positive_label is; prog: who says so)."""
    masks = {}
    for name, query in slices.items():
        try:
            result = raw.eval(query)
        except (pd.errors.UndefinedVariableError, KeyError):
            print(
                f"{prog}: slice '{name}' ({query}) skipped: it names a column the test split "
                "lacks (only the data contract's columns reach it)"
            )
            continue
        except Exception as error:  # unreadable, or not for the columns' types (.str on numbers)
            why = (str(error).splitlines() or [type(error).__name__])[0]
            raise ParamsValueError(f"evaluate.slices.{name} is not a valid query ({why})") from None
        if not isinstance(result, pd.Series) or not pd.api.types.is_bool_dtype(result):
            raise ParamsValueError(f"evaluate.slices.{name} is not a condition: {query!r}")
        masks[name] = result.to_numpy(dtype=bool, na_value=False)
        if not masks[name].any():
            label = f"; the label {target} holds 0 and 1 here" if target and target in query else ""
            print(
                f"{prog}: warning: slice '{name}' ({query}) matches no test rows{label}",
                file=sys.stderr,
            )
    return masks


def slice_metrics(
    labels: np.ndarray, scores: np.ndarray, masks: Mapping[str, np.ndarray], params: EvaluateParams
) -> dict[str, dict[str, float]]:
    """classification_metrics per slice, by slice name: DVC compares params mappings whatever
    their order, so the order of evaluate.slices must not reach metrics.json (dvc.lock has its
    md5: reordered slices left it stale while `dvc status` said up to date)."""
    return {
        name: classification_metrics(
            labels[mask], scores[mask], params.threshold, params.top_fraction
        )
        for name, mask in sorted(masks.items())
    }


def feature_importance(model: ChurnModel) -> list[dict[str, float | str]]:
    """Top features by share of total gain (XGBoost) or absolute standardised weight (logistic)."""
    raw = feature_scores(model)
    total = sum(raw.values()) or 1.0
    ranked = sorted(raw.items(), key=lambda item: (-item[1], item[0]))[:TOP_FEATURES]
    return [{"feature": name, "importance": round(value / total, 6)} for name, value in ranked]


def thin(points: list[dict[str, float]], limit: int = CURVE_POINTS) -> list[dict[str, float]]:
    """Keep at most `limit` evenly spaced points (first and last included), rounded for git;
    none with a NaN (a ROC curve of a test month without churners), which JSON cannot hold."""
    points = [point for point in points if all(map(math.isfinite, point.values()))]
    keep = np.unique(np.linspace(0, len(points) - 1, min(limit, len(points))).round().astype(int))
    return [{key: round(float(value), 4) for key, value in points[i].items()} for i in keep]


def curve_points(labels: np.ndarray, scores: np.ndarray) -> dict[str, list[dict[str, float]]]:
    """ROC, precision-recall (none for one class: NaN) and calibration curves as small lists."""
    both = len(np.unique(labels)) == 2
    fpr, tpr, _ = metrics.roc_curve(labels, scores) if both else ((), (), ())
    precision, recall, _ = metrics.precision_recall_curve(labels, scores) if both else ((), (), ())
    prob_true, prob_pred = calibration_curve(labels, scores, n_bins=10)
    return {
        "roc": thin([{"fpr": x, "tpr": y} for x, y in zip(fpr, tpr, strict=True)]),
        "precision_recall": thin(
            [{"recall": x, "precision": y} for x, y in zip(recall, precision, strict=True)]
        ),
        "calibration": thin(
            [{"prob_pred": x, "prob_true": y} for x, y in zip(prob_pred, prob_true, strict=True)]
        ),
    }


def confusion_counts(labels: np.ndarray, scores: np.ndarray, threshold: float) -> dict[str, int]:
    """True/false positives/negatives at the decision threshold."""
    tn, fp, fn, tp = metrics.confusion_matrix(labels, scores >= threshold, labels=[0, 1]).ravel()
    return {"tn": int(tn), "fp": int(fp), "fn": int(fn), "tp": int(tp)}


def log_plots(live: Live, labels: np.ndarray, scores: np.ndarray, model: ChurnModel) -> None:
    """Small committed curves: ROC, precision-recall, calibration, feature importance."""
    axes = {"roc": ("fpr", "tpr"), "precision_recall": ("recall", "precision")}
    axes |= {"calibration": ("prob_pred", "prob_true")}
    for name, points in curve_points(labels, scores).items():
        live.log_plot(name, points, x=axes[name][0], y=axes[name][1], template="simple")
    live.log_plot(
        "feature_importance",
        feature_importance(model),
        x="importance",
        y="feature",
        template="bar_horizontal",
        title="Feature importance (share of gain)",
    )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = CliParser(prog="churn.evaluate", description=__doc__)
    parser.add_argument("--model", required=True, type=Path)
    parser.add_argument("--test", required=True, type=Path, help="test model matrix")
    parser.add_argument("--raw-test", required=True, type=Path, help="raw test rows, for slices")
    parser.add_argument("--live-dir", required=True, type=Path, help="dvclive folder")
    parser.add_argument("--params", type=Path, default=PARAMS_FILE)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    params, data = load_section("evaluate", args.params), load_section("data", args.params)
    target = data.target
    check_destination(str(args.live_dir), folder=True)  # before reading and scoring
    model, test, raw = load_model(args.model), read_parquet(args.test), read_parquet(args.raw_test)
    check_label_column(test, data, str(args.test), one_class=True)  # may hold no churner
    if len(raw) != len(test):  # the slices' masks index the test rows
        raise ChurnError(f"{args.raw_test}: {len(raw)} rows, {args.test} has {len(test)}")
    labels = test[target].to_numpy()
    scores = predict_proba(model, test.drop(columns=target), str(args.test))
    with naming_params_file(args.params), open_live(args.live_dir) as live:
        overall = classification_metrics(labels, scores, params.threshold, params.top_fraction)
        slices = slice_metrics(labels, scores, slice_masks(raw, params.slices, target), params)
        live.summary = {"test": overall, "slices": slices, "features": len(feature_names_of(model))}
        live.summary["confusion"] = confusion_counts(labels, scores, params.threshold)
        log_plots(live, labels, scores, model)
        # decisions as 0/1 like the labels: True/False put other names on the predicted axis
        decisions = (scores >= params.threshold).astype(int)
        live.log_sklearn_plot("confusion_matrix", labels, decisions)
    auc = f"{overall['roc_auc']:.4f}" if "roc_auc" in overall else "n/a (one class only: no curves)"
    print(f"evaluate: test ROC AUC {auc}")


if __name__ == "__main__":
    run_cli(main, "churn.evaluate")
