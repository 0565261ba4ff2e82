"""Drift decisions: which features drifted, which columns are new, missing or left out by policy,
and whether the whole dataset warrants retraining, with a one-sentence reason."""

from __future__ import annotations

from collections.abc import Collection, Mapping

import numpy as np
import pandas as pd

from churn.drift_stats import feature_stats
from churn.errors import ChurnError, listing
from churn.features import ALL_MISSING
from churn.params import DriftParams

EFFECT_KEYS = ("psi", "wasserstein", "js", "unseen_share")


def is_drifted(row: dict, params: DriftParams) -> bool:
    """An effect size or a missing-rate change over its threshold (for small samples, each
    significant too)."""
    return bool(drifted_on(row, params))


def drifted_on(row: dict, params: DriftParams) -> list[str]:
    """The statistics that make the row drifted: effect sizes over their thresholds (for small
    samples, only when significant), then missing_rate_change (see missing_drifted)."""
    significant = "p_value" not in row or row["p_value"] < params.p_value
    keys = [key for key in EFFECT_KEYS if significant and row.get(key, 0.0) > getattr(params, key)]
    return keys + (["missing_rate_change"] if missing_drifted(row, params) else [])


def missing_drifted(row: dict, params: DriftParams) -> bool:
    """A missing-rate change over drift.missing_rate_change (for small samples, significant)."""
    missing = abs(row.get("missing_rate_change", 0.0)) > params.missing_rate_change
    if "missing_p_value" in row:
        missing = missing and row["missing_p_value"] < params.p_value
    return missing


def schema_columns(
    reference,
    current,
    spec_inputs: Collection[str] | None,
    new_column: str,
    left_out: Mapping[str, str],
):
    """(new columns: a retrain trigger, columns reported only: the model leaves them out and
    retraining would too, or they arrive in the current data only), each placed by schema_role;
    the arriving ones are also listed apart, third."""
    roles = {
        str(name): schema_role(name, (reference, current), spec_inputs, new_column, left_out)
        for name in sorted(set(reference.columns) | set(current.columns))
    }
    new = [name for name, role in roles.items() if role == "new"]
    arriving = [name for name, role in roles.items() if role == "arriving"]
    return new, [name for name, role in roles.items() if role in ("ignored", "arriving")], arriving


def schema_role(name: str, frames, spec_inputs, new_column: str, left_out) -> str:
    """ "new" (retraining would train on the column: a retrain trigger), "arriving" (it would,
    once data with its values is in training: reported), "ignored" (the model leaves it out and
    retraining would again: reported) or "" (a model column). A model column with values now
    that the reference lacks (or has all missing) is new. A column outside the model reaches it
    under contract.new_column: include, or when the contract lists it and featurize left it out
    as missing in every training row; retraining trains on it only when the reference (the data
    retraining learns from) has values of it, else featurize leaves it out again."""
    reference, current = frames
    now, before = has_values(current, name), has_values(reference, name)
    inside = (before or not now) if spec_inputs is None else name in spec_inputs
    if inside:
        return "new" if now and not before else ""
    listed = left_out.get(name) == ALL_MISSING
    if not (listed or (new_column == "include" and name not in left_out)) or not now:
        return "ignored"
    return "new" if before else "arriving"


def has_values(frame: pd.DataFrame, name: str) -> bool:
    """Whether the frame has the column with at least one value."""
    return name in frame.columns and bool(frame[name].notna().any())


def needed_columns(reference, spec_inputs: Collection[str] | None, importance: dict) -> list[str]:
    """The columns the model reads: the feature spec's inputs, else those the model weighs, else
    (no model known) every reference column with values."""
    if spec_inputs is not None:
        return list(spec_inputs)
    if importance:
        return sorted(importance)
    return [str(name) for name in reference.columns if reference[name].notna().any()]


def missing_columns(frame, needed: list[str], policy: str, where: str) -> list[str]:
    """The needed columns frame lacks, to compare as all-missing when contract.missing_column is
    impute (batch scoring imputes them too); otherwise, or when most are missing, a ChurnError
    naming where and them, as scoring refuses such a batch."""
    missing = [name for name in needed if name not in frame.columns]
    if missing and policy != "impute":
        raise ChurnError(
            f"{where}: missing column(s) the model uses: {listing(missing)} "
            f"(contract.missing_column: {policy})"
        )
    if missing and len(missing) > len(needed) / 2:
        raise ChurnError(
            f"{where}: {len(missing)} of the model's {len(needed)} columns are missing, "
            f"e.g. '{missing[0]}'; imputing them all would leave nothing to compare"
        )
    return missing


def compare(
    reference,
    current,
    params: DriftParams,
    model,
    schema,
    sources: tuple[str, str],
    validated: Mapping[str, str] | None = None,
) -> dict[str, dict]:
    """Per-feature table: statistics, importance, drifted flag, new or ignored column flag.
    model: (importance per column, the type the model reads each input as, or None). A column
    that decides (not ignored) holding numbers written as text (12,5  $29.72), or mostly other
    values than the numbers it holds elsewhere, stops, naming its source: so does one arriving
    (retraining will train on it: validate would stop on it). schema: see schema_columns;
    validated: the type validate gave each column, which then decides (see drift_contract)."""
    (importance, kinds), (new, ignored, arriving) = model, schema
    small = min(len(reference), len(current)) < params.small_sample_rows
    table = {}
    for name in sorted(set(reference.columns) | set(current.columns)):
        ref, cur = column_or_missing(reference, name), column_or_missing(current, name)
        decides = name not in ignored or name in arriving
        checked = (name, sources, (kinds or {}).get(name)) if decides else None
        row = feature_stats(ref, cur, small, checked, (validated or {}).get(name))
        row["importance"] = importance.get(name, 0.0)
        row["drifted"] = name in new or is_drifted(row, params)
        flags = {"new_column": name in new, "ignored_column": name in ignored}
        row |= {flag: True for flag, on in flags.items() if on}
        table[name] = {k: round(v, 6) if isinstance(v, float) else v for k, v in row.items()}
    return table


def column_or_missing(frame: pd.DataFrame, name: str) -> pd.Series:
    """The frame's column, or all missing when the frame lacks it (a side's missing rate is 1)."""
    if name in frame.columns:
        return frame[name]
    return pd.Series(np.nan, index=frame.index, dtype=float)


def effect(row: dict, params: DriftParams) -> float:
    """The feature's largest effect size: PSI, normalised Wasserstein or JS distance, or its
    missing-rate change when that drifted, scaled so that drift.missing_rate_change weighs as
    drift.psi. A feature gone all missing has no distribution left to compare (PSI 0): its
    missing rate is what changed."""
    distribution = max(row.get(key, 0.0) for key in ("psi", "wasserstein", "js"))
    if not missing_drifted(row, params):
        return distribution
    missing = abs(row["missing_rate_change"]) * params.psi / params.missing_rate_change
    return max(distribution, missing)


def model_rows(table: dict[str, dict]) -> dict[str, dict]:
    """The table without the columns the model leaves out by policy (they decide nothing)."""
    return {name: row for name, row in table.items() if not row.get("ignored_column")}


def check_sizes(frames, params: DriftParams, sources: tuple[str, str]) -> None:
    """Refuse a side below drift.min_rows (PSI is noise there), naming it after sources."""
    for frame, source in zip(frames, sources, strict=True):
        if len(frame) < params.min_rows:
            raise ChurnError(f"{source} has {len(frame)} rows; drift.min_rows is {params.min_rows}")
