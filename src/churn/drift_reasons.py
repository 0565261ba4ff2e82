"""The drift decision's words: whether the dataset warrants retraining and why, in one
sentence, with notes on the columns the model leaves out or compares as all-missing."""

from __future__ import annotations

from churn.data_params import DataParams, Policies
from churn.drift_decision import effect, model_rows
from churn.params import DriftParams

INFERRED = 'data.contract: "", inferred from the data: every column with values a feature'


def new_column_rule(policies: Policies, data: DataParams) -> tuple[str, str]:
    """(what a column the model does not read becomes: include, ignore or fail; the setting that
    says so, for the reason). An inferred contract (data.contract "") is inferred anew from the
    data at each run, so a column with values becomes a feature whatever contract.new_column
    says: retraining trains on it, as under include."""
    if not data.contract:
        return "include", INFERRED
    return policies.new_column, f"contract.new_column: {policies.new_column}"


def decide(table: dict[str, dict], new: list[str], params: DriftParams, setting: str):
    """Dataset-level decision and a one-sentence reason, over the columns that are not ignored
    (setting: see new_column_rule)."""
    table = model_rows(table)
    drifted = sorted(name for name, row in table.items() if row["drifted"])
    share = len(drifted) / max(len(table), 1)
    weighted = {n: effect(r, params) * r["importance"] for n, r in table.items() if r["drifted"]}
    heavy = sorted(n for n, score in weighted.items() if score > params.weighted)
    reasons = []
    if new:
        reasons.append(f"new column(s) {', '.join(new)}: schema change, retrain ({setting})")
    if share >= params.share_drifted:
        reasons.append(
            f"{len(drifted)} of {len(table)} features drifted (>= {params.share_drifted})"
        )
    if heavy:
        reasons.append(f"important feature(s) drifted: {', '.join(heavy)}")
    if not reasons:
        detail = f"; drifted but minor: {', '.join(drifted)}" if drifted else ""
        return (
            False,
            f"no retraining needed: {len(drifted)} of {len(table)} features drifted{detail}",
        )
    return True, "; ".join(reasons)


def ignored_note(ignored: list[str], rule: tuple[str, str], left_out=(), arriving=()) -> str:
    """The reason's notes on columns reported only ("" when there are none): those arriving in
    the current data (retraining uses them once data with their values is in training), then
    those the model leaves out by policy, with what becomes of those outside the contract (not
    those featurize left out as constant): under ignore, how to use them; under fail, that
    validate will stop on them. rule: see new_column_rule."""
    note = arriving_note(arriving)
    ignored = [name for name in ignored if name not in arriving]
    if not ignored:
        return note
    new_column, setting = rule
    outside = [name for name in ignored if name not in left_out]
    dropped = [f"{name} ({left_out[name]})" for name in ignored if name in left_out]
    why = [f"{', '.join(outside)} not used by the model ({setting})"] if outside else []
    why += [f"left out by featurize: {', '.join(dropped)}"] if dropped else []  # not by setting
    note += f"; {'; '.join(why)}: not a retrain trigger"
    if not outside or new_column == "include":
        return note
    pronoun = "it" if len(outside) == 1 else "them"
    which = pronoun if outside == ignored else ", ".join(outside)
    if new_column == "fail":
        return f"{note}; validate stops on {which} until the contract lists {pronoun}"
    return f"{note}; to use {which}, set contract.new_column: include"


def arriving_note(arriving) -> str:
    """The note on columns with values in the current data only ("" when there are none)."""
    if not arriving:
        return ""
    pronoun = "it" if len(arriving) == 1 else "them"
    return (
        f"; {', '.join(arriving)} in the current data only: retraining trains on {pronoun} once "
        f"data with {pronoun} is in training, not a retrain trigger yet"
    )


def imputed_note(imputed: list[str]) -> str:
    """The reason's note on model columns a side lacks, compared as all-missing ("" if none)."""
    if not imputed:
        return ""
    return (
        f"; {', '.join(imputed)} missing, compared as all-missing (contract.missing_column: impute)"
    )
