"""Per-feature drift statistics: PSI, normalised Wasserstein, Jensen-Shannon, unseen, missing."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial.distance import jensenshannon

from churn.coercion import RETYPE_SHARE, Coerced, coerce, coerce_boolean, infer_kind
from churn.errors import ChurnError
from churn.raw_text import as_text
from churn.type_changes import inferred_kind, retype_detail, retyped

EPSILON = 1e-4  # share given to empty bins so that PSI stays finite
MIN_EXPECTED = 30  # rows a level must be expected in the smaller side to be a bin of its own:
# PSI and JS grow with bins per row by noise alone (k bins: PSI about k / rows)
NOT_COMPARED = ": drift not compared"
# A column's name, the sources of its two sides, the type the model reads it as (None: unknown).
Checked = tuple[str, tuple[str, str], str | None] | None


def shares(counts: np.ndarray) -> np.ndarray:
    """Counts to shares, empty bins floored at EPSILON."""
    total = max(int(counts.sum()), 1)
    return np.maximum(counts / total, EPSILON)


def psi(reference: np.ndarray, current: np.ndarray) -> float:
    """Population stability index between two binned share vectors."""
    return float(np.sum((current - reference) * np.log(current / reference)))


def decile_edges(reference: pd.Series) -> np.ndarray:
    """Bin edges at the reference deciles (ties merged), open at both ends."""
    inner = np.unique(np.quantile(reference, np.linspace(0.1, 0.9, 9)))
    return np.concatenate([[-np.inf], inner, [np.inf]])


def numeric_stats(reference: pd.Series, current: pd.Series, small: bool) -> dict:
    """PSI on reference deciles and Wasserstein distance in reference standard deviations."""
    ref, cur = reference.dropna(), current.dropna()
    if ref.empty or cur.empty:
        return {"psi": 0.0, "wasserstein": 0.0}
    edges = decile_edges(ref)
    ref_counts = np.histogram(ref, edges)[0]
    cur_counts = np.histogram(cur, edges)[0]
    spread = float(ref.std()) or 1.0
    result = {
        "psi": psi(shares(ref_counts), shares(cur_counts)),
        "wasserstein": float(stats.wasserstein_distance(ref, cur)) / spread,
    }
    if small:
        result["p_value"] = float(stats.ks_2samp(ref, cur).pvalue)
    return result


def level_counts(ref: pd.Series, cur: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Both sides' counts per reference level, then one bin for the rare levels and the values
    the reference lacks. A level expected fewer than MIN_EXPECTED times in the smaller side is
    rare: a text column of hundreds of levels (cities, zip codes), a few rows each, would else
    drift by sampling noise alone, and a new zip code is one more rare level."""
    counts = ref.value_counts()
    expected = counts / len(ref) * min(len(ref), len(cur))
    levels = sorted(counts.index[expected >= MIN_EXPECTED])
    frequent = cur.isin(levels)
    ref_counts = counts.reindex(levels).to_numpy()
    cur_counts = cur[frequent].value_counts().reindex(levels, fill_value=0).to_numpy()
    rare = (len(ref) - ref_counts.sum(), (~frequent).sum())
    return np.append(ref_counts, rare[0]), np.append(cur_counts, rare[1])


def unseen_share(ref: pd.Series, cur: pd.Series) -> float:
    """The share of current values the reference lacks, beyond the share a sample of the
    reference's own distribution would lack: its share of values seen once (Good-Turing). A
    column of thousands of levels, most seen once, shows new ones in every batch."""
    counts = ref.value_counts()
    expected = float((counts == 1).sum() / len(ref))
    return max(float((~cur.isin(counts.index)).mean()) - expected, 0.0)


def categorical_stats(reference: pd.Series, current: pd.Series, small: bool) -> dict:
    """PSI and Jensen-Shannon distance over the reference levels (rare ones and unseen values
    one bin, see level_counts), and unseen_share."""
    ref, cur = as_text(reference).dropna(), as_text(current).dropna()
    if ref.empty or cur.empty:
        return {"psi": 0.0, "js": 0.0, "unseen_share": 0.0}
    ref_counts, cur_counts = level_counts(ref, cur)
    result = {
        "psi": psi(shares(ref_counts), shares(cur_counts)),
        "js": float(jensenshannon(ref_counts, cur_counts, base=2)),
        "unseen_share": unseen_share(ref, cur),
    }
    if small:
        result["p_value"] = chi2_p_value(ref_counts, cur_counts)
    return result


def chi2_p_value(ref_counts: np.ndarray, cur_counts: np.ndarray) -> float:
    """Chi-squared test of the two count vectors (levels present on either side)."""
    table = np.vstack([ref_counts, cur_counts])
    table = table[:, table.sum(axis=0) > 0]
    return float(stats.chi2_contingency(table).pvalue) if table.shape[1] > 1 else 1.0


def two_proportion_p_value(hits: tuple[int, int], rows: tuple[int, int]) -> float:
    """Two-sided p-value of the pooled two-proportion z-test (1.0 when there is no variance)."""
    if min(rows) == 0:
        return 1.0
    pooled = sum(hits) / sum(rows)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / rows[0] + 1 / rows[1]))
    if spread == 0:
        return 1.0
    z = (hits[1] / rows[1] - hits[0] / rows[0]) / spread
    return float(2 * stats.norm.sf(abs(z)))


def missing_stats(reference: pd.Series, current: pd.Series, small: bool) -> dict:
    """Change in the share of missing values, with its two-proportion p-value for small samples."""
    result = {"missing_rate_change": float(current.isna().mean() - reference.isna().mean())}
    if small:
        hits = (int(reference.isna().sum()), int(current.isna().sum()))
        result["missing_p_value"] = two_proportion_p_value(hits, (len(reference), len(current)))
    return result


def compared_kind(reference: pd.Series, current: pd.Series, checked: Checked = None) -> str:
    """The type both sides are compared as: the reference's, or the current side's when the
    reference has no values. With checked (see Checked), each side with values is typed as
    contract inference types it, numbers written as text stopping; the model's type wins (a
    category column is compared as categories, a number column as numbers when either side holds
    numbers), and a side mostly of another type stops, as batch scoring refuses it: compared as
    numbers, its text would only be missing values (PSI 0, "ok")."""
    if checked is None:
        return infer_kind(reference if reference.notna().any() else current, RETYPE_SHARE)
    name, sources, model_kind = checked
    holds = ("does not hold", "no longer holds")  # the reference's wording, the current's
    sides = [
        (side, where, verb)
        for side, where, verb in zip((reference, current), sources, holds, strict=True)
        if side.notna().any()
    ]
    kinds = [inferred_kind(side, name, where, NOT_COMPARED) for side, where, _ in sides]
    if not kinds:
        return "categorical"
    kind = kinds[0]
    if model_kind == "categorical" or (model_kind == "numeric" and "numeric" in kinds):
        kind = model_kind
    if kind == "numeric":
        for side, where, verb in sides:
            refuse_retyped(side, name, where, verb)
    return kind


def refuse_retyped(column: pd.Series, name: str, where: str, holds: str) -> None:
    """Stop when most present values of a number column are not numbers (type_changes.retyped,
    the rule validate and batch scoring apply), naming where, the column and an example."""
    numbers = numbers_or_flags(column)
    if retyped(numbers):
        raise ChurnError(
            f"{where}: column '{name}' {holds} numeric values ({int(numbers.bad.sum())} of "
            f"{len(column)} rows, {retype_detail(column, numbers)}){NOT_COMPARED}"
        )


def feature_stats(reference, current, small: bool, checked: Checked = None, validated=None):
    """Type, effect sizes and missing-rate change for one feature (checked: see compared_kind),
    all from the values as coerced to that type: a value that is not a number (a blank, or a
    word under RETYPE_SHARE) is missing in the missing rate as in the distribution. validated:
    the type validate gave the column (see drift_contract), coerced as validate coerces it."""
    kind = compared_kind(reference, current, checked) if validated is None else validated
    flags = kind == "numeric" and validated is None  # a word is no flag to validate
    ref, cur = (numbers_or_flags(s) if flags else coerce(s, kind) for s in (reference, current))
    kind = "numeric" if kind == "boolean" else kind  # a flag: the 0/1 the model reads
    distribution = numeric_stats if kind == "numeric" else categorical_stats
    ref, cur = ref.values, cur.values
    return {"type": kind, **distribution(ref, cur, small), **missing_stats(ref, cur, small)}


def numbers_or_flags(column: pd.Series) -> Coerced:
    """A number column's values as numbers, flags written as words (true/no ...) as 1/0: the
    model reads a contract's boolean column as a number, and batch scoring reads both spellings,
    so 0/1 on one side and true/false on the other is the same column."""
    numbers = coerce(column, "numeric")
    if not numbers.bad.any():
        return numbers
    wrong = numbers.bad.to_numpy(dtype=bool)
    flags = coerce_boolean(column[wrong]).values
    read = flags.notna().to_numpy()
    at = np.flatnonzero(wrong)[read]  # positions: the index may repeat labels
    values, bad = numbers.values.copy(), numbers.bad.copy()
    values.iloc[at] = flags.to_numpy(dtype=float)[read]
    bad.iloc[at] = False
    return numbers._replace(values=values, bad=bad)
