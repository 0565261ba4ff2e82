"""Apply the data contract: coerce, check rows, diff the schema, follow the declared policies."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from churn.column_checks import ColumnCheck
from churn.contract_columns import added_columns, check_columns, optional_roles, row_snapshots
from churn.contract_spec import Contract
from churn.csv_header import FROM_PARAMS
from churn.data_params import DataParams, Policies
from churn.errors import ChurnError, listing, near_miss, spelt_alike

__all__ = ["Policies", "ValidationResult", "apply_contract"]

REASON = "reject_reason"
MANY_MISSING = 5  # more missing columns than this are counted before they are named


@dataclass(frozen=True)
class ValidationResult:
    """Valid rows typed per contract, rejected rows with a reason, the schema diff, counts."""

    valid: pd.DataFrame
    rejected: pd.DataFrame
    schema: dict
    counts: dict
    rejected_rows: np.ndarray | None = None  # the input index of each rejected row


def check_missing(missing: list[str], contract: Contract, policies: Policies, where: str, columns):
    """Fail on a missing contract column unless the policy imputes it; even then, when most of
    the contract's columns are missing (imputed, every row would look alike)."""
    hint = near_misses(missing, columns) if missing else ""
    if missing and policies.missing_column == "fail":
        listed = missing_columns(missing, len(contract.columns), spelt_otherwise=bool(hint))
        raise ChurnError(f"{where}: {listed}{hint}")
    features = contract.names("feature")  # id, timestamp and label are no inputs to impute
    absent = [name for name in missing if name in features]
    if len(absent) > len(features) / 2:
        raise ChurnError(
            f"{where}: {len(absent)} of {len(features)} contract feature columns are missing, "
            f"e.g. '{absent[0]}'; imputing them all would score every row alike{hint}"
        )


def missing_columns(missing: list[str], total: int, spelt_otherwise: bool) -> str:
    """Every missing column named (fixing only the first would find the next); many counted
    first, and the file doubted when they are most columns and not spelt otherwise."""
    named, policy = ", ".join(f"'{name}'" for name in missing), "contract.missing_column: fail"
    if len(missing) > MANY_MISSING:
        doubtful = len(missing) > total / 2 and not spelt_otherwise
        policy += "; is it the file you meant?" if doubtful else ""
        count = f"{len(missing)} of the contract's {total} columns"
        return f"{count} are missing from the data ({policy}): {named}"
    which = "columns {} of the contract are" if len(missing) > 1 else "column {} of the contract is"
    return f"{which.format(named)} missing from the data ({policy})"


def near_misses(missing: list[str], columns, shown: int = 3) -> str:
    """The hint naming missing columns the data spells otherwise (near_miss): a few, and a count."""
    if len(missing) == 1:
        return near_miss(missing[0], columns)
    alike = [(name, spelt_alike(name, columns)) for name in missing]
    found = [f"{other!r} for '{name}'" for name, other in alike if other is not None]
    return f"; the data has {listing(found, shown)}: names must match exactly" if found else ""


def diff_schema(frame, contract, checks, data, scoring) -> dict:
    """Added, missing and retyped columns and new categories, for metrics/schema.json."""
    missing = [n for n in contract.names() if n not in frame.columns]
    return {
        "added": added_columns(frame, contract),
        "missing": [n for n in missing if n not in optional_roles(data, scoring)],
        "retyped": [name for name, check in checks.items() if check.retyped],
        "new_categories": {
            n: list(c.new_categories) for n, c in checks.items() if c.new_categories
        },
    }


def check_schema_policies(schema: dict, contract_columns, policies: Policies, where: str, columns):
    """Stop when the data adds or drops a column and the policy says fail."""
    if schema["added"] and policies.new_column == "fail":
        raise ChurnError(
            f"{where}: column '{schema['added'][0]}' is not in the contract "
            "(contract.new_column: fail)"
        )
    check_missing(schema["missing"], contract_columns, policies, where, columns)


def first_reasons(index: pd.Index, failures: list[tuple[str, pd.Series]]) -> pd.Series:
    """Per row, the first failed check's reason ("" when the row passed)."""
    codes = np.full(len(index), len(failures))
    for code, (_, mask) in reversed(list(enumerate(failures))):
        flags = mask.to_numpy() if mask.dtype == bool else mask.fillna(False).to_numpy(dtype=bool)
        codes[flags] = code
    names = np.array([reason for reason, _ in failures] + [""], dtype=object)
    return pd.Series(names[codes], index=index, dtype=object)


def duplicate_ids(typed: pd.DataFrame, reasons: pd.Series, data: DataParams, where: str):
    """Repeats of an id in one snapshot (month: row_snapshots) in rows passed so far, first kept."""
    if not data.id or data.id not in typed.columns:
        return pd.Series(False, index=typed.index)
    passed = typed[reasons.eq("") & typed[data.id].notna()]
    months = row_snapshots(passed, data.timestamp, where)
    keys = pd.DataFrame({"id": passed[data.id], **({} if months is None else {"month": months})})
    return keys.duplicated(keep="first").reindex(typed.index, fill_value=False)


def check_layout(
    frame: pd.DataFrame,
    contract: Contract,
    policies: Policies,
    data: DataParams,
    where: str,
    scoring: bool,
) -> None:
    """Fail before any row is checked: no label column (unless scoring), or a column added or
    missing that the policies do not allow."""
    if not scoring and data.target not in frame.columns:
        hint = near_miss(data.target, frame.columns)
        raise ChurnError(f"{where}: column '{data.target}' (data.target) not found{hint}")
    early = diff_schema(frame, contract, {}, data, scoring)
    check_schema_policies(early, contract, policies, where, frame.columns)


def row_reasons(typed, checks: dict[str, ColumnCheck], data: DataParams, repeats: bool, where: str):
    """Per row, the reason it is rejected ("" when valid): the first failed check, the label's
    first; else, with repeats, a repeated id."""
    label_first = sorted(checks, key=lambda name: name != data.target)
    reasons = first_reasons(typed.index, [f for n in label_first for f in checks[n].failures])
    if not repeats:
        return reasons
    return reasons.where(~duplicate_ids(typed, reasons, data, where), f"duplicate_id:{data.id}")


def apply_contract(
    frame: pd.DataFrame,
    contract: Contract,
    policies: Policies,
    data: DataParams,
    where: str,
    scoring: bool = False,
    retype_min: int = 1,
    repeats: bool = True,
    include: Collection[str] | None = None,
    kinds: Mapping[str, str] | None = None,
) -> ValidationResult:
    """Split the frame into valid typed rows and rejected rows with reasons, following policies.
    Valid rows are sorted by timestamp and id, unless scoring (input order kept). A column is
    retyped when most of its present values in a snapshot (the whole frame without a timestamp)
    are of the wrong type, with at least retype_min present there. With repeats, a repeated id in
    a snapshot is rejected (chunked scoring checks repeats across chunks itself). Under
    contract.new_column: include, include names the new columns to keep (default: all), kinds
    the types they are held to (default: typed from their values)."""
    check_layout(frame, contract, policies, data, where, scoring)
    kept = (retype_min, include, FROM_PARAMS, kinds)
    checks = check_columns(frame, contract, policies, data, where, scoring, *kept)
    schema = diff_schema(frame, contract, checks, data, scoring)
    typed = pd.DataFrame({name: check.values for name, check in checks.items()}, index=frame.index)
    reasons = row_reasons(typed, checks, data, repeats, where)
    ok = reasons.eq("")
    rejected = frame[~ok].assign(**{REASON: reasons[~ok]}).reset_index(drop=True)
    counts = count_rows(frame, ok, reasons, checks, scoring)
    valid = typed[ok].reset_index(drop=True) if scoring else sort_rows(typed[ok], data)
    return ValidationResult(valid, rejected, schema, counts, frame.index[~ok].to_numpy())


def count_rows(frame, ok, reasons, checks, scoring) -> dict:
    """Rows in, valid, quarantined by reason, and what coercion did per column."""
    counts = {
        "rows_in": len(frame),
        "rows_valid": int(ok.sum()),
        "rows_quarantined": int((~ok).sum()),
        "quarantined_by_reason": {
            reason: int(n) for reason, n in sorted(reasons[~ok].value_counts().items())
        },
        "coerced": {name: check.coerced for name, check in checks.items() if check.coerced},
    }
    if scoring:
        counts["unseen_categories"] = {
            name: int(check.values.isin(check.new_categories).sum())
            for name, check in checks.items()
            if check.new_categories
        }
    return counts


def sort_rows(typed: pd.DataFrame, data: DataParams) -> pd.DataFrame:
    """Valid rows ordered by timestamp and id when present, with a fresh index."""
    order = [c for c in (data.timestamp, data.id) if c and c in typed.columns]
    rows = typed.sort_values(order, kind="stable") if order else typed
    return rows.reset_index(drop=True)
