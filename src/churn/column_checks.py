"""Per-column contract checks: coercion, ranges, categories, labels (see contract_columns for
every column of a frame)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from churn import coercion
from churn.coercion import Coerced, coerce
from churn.contract_spec import ColumnContract
from churn.csv_header import FROM_PARAMS, SettingNames
from churn.data_params import DataParams, Policies
from churn.errors import ChurnError, listing
from churn.raw_text import (
    FALSE_WORDS,
    MISSING_MARKERS,
    TRUE_WORDS,
    as_text,
    mask_of,
    no_rows,
    normalise_text,
    row_mask,
    rows_in,
)
from churn.type_changes import refuse_type_change, type_change


def coercion_counts(coerced: Coerced, rejected: pd.Series | None = None) -> dict[str, int]:
    """Non-zero counts of what coercion did to one column (rejected: the wrong-typed values
    rejected, not coerced to missing)."""
    kept = rows_in(coerced.bad) - (0 if rejected is None else rows_in(rejected))
    counts = {
        "blank_to_missing": rows_in(coerced.blank),
        "thousands_separator": rows_in(coerced.thousands),
        "text_to_missing": kept,
    }
    return {kind: n for kind, n in counts.items() if n}


def new_categories(values: pd.Series, column: ColumnContract, distinct=None) -> list[str]:
    """Category values the contract does not list (distinct: the values' distinct present
    values, when known)."""
    if column.type != "categorical" or column.categories is None:
        return []
    present = {v for v in values.unique() if not pd.isna(v)} if distinct is None else distinct
    return sorted(set(present) - set(column.categories))


def allowed_labels(text: pd.Series, column: ColumnContract, positive: str) -> set[str]:
    """The contract's labels, else the positive label and its usual opposites (0, no, false)."""
    if column.categories is not None:
        return {str(c).casefold() for c in column.categories}
    if positive in TRUE_WORDS:
        return {positive, *FALSE_WORDS}
    if positive in FALSE_WORDS:
        return {positive, *TRUE_WORDS}
    others = text[text.notna() & text.ne(positive)].value_counts()
    return {positive, *others.index[:1]}


def coerce_in(raw: pd.Series, kind: str, where: str) -> Coerced:
    """coerce, with the file named in its errors (dates that read two ways)."""
    try:
        return coerce(raw, kind)
    except ChurnError as error:
        raise ChurnError(f"{where}: {error}", rows=error.rows) from None


def label_text(text: pd.Series) -> pd.Series:
    """Labels spelled one way whatever the reader made of them: true/false as 1/0 (a CSV reader
    may have read them as booleans), whole numbers without decimals (1.0 -> 1); one beyond
    int64 ("1e20") stays as written."""
    text = text.str.casefold().replace({"true": "1", "false": "0"})
    numbers = pd.to_numeric(text.astype(object), errors="coerce")
    whole = row_mask(pd.Series((numbers % 1 == 0) & (numbers.abs() < 2.0**63), index=text.index))
    return text.where(~whole, numbers.where(whole).astype("Int64").astype("string"))


def unknown_labels(text: pd.Series) -> pd.Series:
    """Labels that are missing or a missing-value marker (of label_text's output)."""
    return (text.isna() | text.isin(MISSING_MARKERS)).astype(bool)


def label_frame(labels: pd.Series, column: ColumnContract, data: DataParams, where: str):
    """Map labels to 0/1; returns (labels, missing mask, invalid mask)."""
    written = as_text(labels)
    text = label_text(written)
    positive = label_text(pd.Series([normalise_text(data.positive_label)], dtype="string"))[0]
    allowed = allowed_labels(text, column, positive)
    missing = unknown_labels(text)
    invalid = (~missing & ~text.isin(allowed)).astype(bool)
    if positive not in allowed or (invalid.any() and not text.eq(positive).any()):
        seen = listing([repr(str(v)) for v in written[~missing].str.strip().unique()])  # as written
        raise ChurnError(
            f"{where}: label value {data.positive_label!r} (data.positive_label) never occurs "
            f"in column '{column.name}' (data.target), which holds {seen}"
        )
    return text.eq(positive).fillna(False).astype("int8"), missing, invalid


@dataclass(frozen=True)
class ColumnCheck:
    """One column after coercion: typed values, row failures in check order, what was found."""

    values: pd.Series
    failures: list[tuple[str, pd.Series]]
    coerced: dict[str, int]
    retyped: bool = False
    new_categories: tuple[str, ...] = ()
    dictionary: tuple[np.ndarray, list] | None = None  # of values: coercion.arrow_dictionary


def value_failures(values: pd.Series, column: ColumnContract, scoring: bool, distinct=None):
    """Nulls in a required column, values out of range, categories the contract lacks
    (distinct: see new_categories)."""
    failures = []
    if not column.nullable:
        failures.append((f"null:{column.name}", values.isna()))
    if column.type == "numeric":  # beyond float32 too: the contract's bounds or the type's
        low, high = column.bounds
        numbers = values.to_numpy()  # float64: numpy compares as pandas does, at half the cost
        failures.append((f"below_min:{column.name}", mask_of(values, numbers < low)))
        failures.append((f"above_max:{column.name}", mask_of(values, numbers > high)))
    unseen = new_categories(values, column, distinct)
    if unseen and not scoring:
        failures.append((f"unseen_category:{column.name}", values.isin(unseen)))
    return failures, tuple(unseen)


def check_feature(
    raw,
    column: ColumnContract,
    policies: Policies,
    where: str,
    scoring,
    retype_min=1,
    names: SettingNames = FROM_PARAMS,
    stamps=None,
):
    """Coerce one contract column and list the rows that break the contract (names: what sets
    the decimal mark, for the hint on decimal commas; stamps: see type_changes.type_change)."""
    quick = fast_check(raw, column, scoring)
    if quick is not None:
        return quick
    result = coerce_in(raw, column.type, where)
    change = type_change(raw, result, retype_min, stamps)
    if change and policies.type_change == "fail":
        refuse_type_change(change, (raw, result), column, where, names)
    # A word in a required number column is a wrong value, not a missing one: named as such;
    # under contract.type_change: quarantine, so are those of the snapshots that changed type.
    quarantine = change is not None and policies.type_change == "quarantine"
    rejected = result.bad if not column.nullable else change.rows if quarantine else None
    failures = [(f"type:{column.name}", rejected)] if rejected is not None else []
    if result.infinite is not None:  # a number, not text; yet neither missing nor a feature value
        failures.append((f"infinite:{column.name}", result.infinite))
    checks, unseen = value_failures(result.values, column, scoring)
    counts = coercion_counts(result, rejected)  # a rejected word is not a coerced one
    return ColumnCheck(result.values, failures + checks, counts, change is not None, unseen)


def fast_check(raw: pd.Series, column: ColumnContract, scoring: bool) -> ColumnCheck | None:
    """check_feature's result for the common clean columns, without its row-by-row coercion:
    float64 numbers without infinities, Arrow-backed categories that need no stripping and hold
    no blank marker; None for any other column (check_feature then takes its general route)."""
    if column.type == "numeric" and raw.dtype == np.float64:
        if np.isinf(raw.to_numpy()).any():
            return None
        return clean_check(raw, column, scoring, ())
    if column.type == "categorical" and coercion.few_arrow_strings(raw):
        # one hashing pass gives the distinct values and each row's: the latter spare the
        # model's one-hot encoding a second pass (see model_matrix.encode_dictionary)
        codes, present = coercion.arrow_dictionary(raw)
        distinct = coercion.clean_values(present, raw.dtype)
        if distinct is None:
            return None
        check = clean_check(raw.astype("string"), column, scoring, distinct)
        return replace(check, dictionary=(codes, distinct))
    return None


def clean_check(values: pd.Series, column: ColumnContract, scoring: bool, distinct) -> ColumnCheck:
    """A column coercion left unchanged: value_failures only (and the wrong-type failure,
    never met, of a required column); the categories found among the distinct values."""
    wrong_type = [(f"type:{column.name}", no_rows(values))] if not column.nullable else []
    failures, unseen = value_failures(values, column, scoring, distinct)
    return ColumnCheck(values, wrong_type + failures, {}, False, unseen)


def check_label(raw: pd.Series, column: ColumnContract, data: DataParams, where: str):
    """The label mapped to 0/1; missing and unknown labels are row failures."""
    labels, missing, invalid = label_frame(raw, column, data, where)
    failures = [
        (f"missing_label:{column.name}", missing),
        (f"invalid_label:{column.name}", invalid),
    ]
    return ColumnCheck(labels, failures, {})
