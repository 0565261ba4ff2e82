"""Every contract column of a frame checked: present ones coerced and checked, missing ones
imputed or left out, columns outside the contract included when asked for."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from functools import cache

import pandas as pd

from churn.coercion import coerce
from churn.column_checks import (
    ColumnCheck,
    check_feature,
    check_label,
    coerce_in,
    coercion_counts,
)
from churn.contract_spec import ColumnContract, Contract
from churn.csv_header import FROM_PARAMS, SettingNames
from churn.customer_ids import zero_fractions_cut
from churn.data_params import DataParams
from churn.flag_columns import flag_values
from churn.new_column_types import new_column_kind, with_numbers_refused
from churn.snapshot_dates import read_snapshot_months
from churn.type_changes import snapshot_months


def impute_column(index: pd.Index, column: ColumnContract) -> ColumnCheck:
    """A missing contract column added as all-missing (contract.missing_column: impute)."""
    dtype = "float64" if column.type in ("numeric", "boolean") else object
    return ColumnCheck(pd.Series(None, index=index, dtype=dtype), [], {})


def check_new_column(
    raw: pd.Series,
    name: str,
    is_id: bool = False,
    where: str = "",
    names: SettingNames = FROM_PARAMS,
    held: tuple | None = None,
) -> ColumnCheck:
    """A column outside the contract kept for the model (contract.new_column: include), or the
    id when the contract leaves it out (text, never a number: 101 stays "101"). Numbers with
    decimal commas stop the run, as in a contract column, rather than become categories; dates
    are typed as dates, as contract inference types them (featurize leaves them out). held:
    (its type, or None to type it from raw; policies, scoring, retype_min, stamps): checked then
    as a nullable contract column of that type, held to contract.type_change (a month of text in
    a number column, or of numbers in a category column, was only counted as text_to_missing or
    passed as categories)."""
    if is_id or held is None:
        kind = "categorical" if is_id else new_column_kind(raw, name, where, names)
        result = coerce(raw, kind)
        return ColumnCheck(result.values, [], coercion_counts(result))
    kind = held[0] or new_column_kind(raw, name, where, names)
    policies, scoring, retype_min, stamps = held[1:]
    column = ColumnContract(name, "feature", kind)
    check = check_feature(raw, column, policies, where, scoring, retype_min, names, stamps)
    if kind != "categorical":
        return check
    return with_numbers_refused(check, raw, column, held[1:], (where, names))


def kind_of(values: pd.Series) -> str:
    """The type a column was given, from its typed values (datetime, numeric or categorical)."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return "datetime"
    return "numeric" if pd.api.types.is_numeric_dtype(values) else "categorical"


def new_column_kinds(typed: pd.DataFrame, contract: Contract, id_column: str) -> dict[str, str]:
    """The type given to each column outside the contract that holds values in typed (validate's
    labelled rows): what the rows to score are held to, not typed anew from their own values (a
    flag's 0/1 values: a flag, see new_column_types.flag_values)."""
    return {
        name: "boolean" if flag_values(typed[name]) else kind_of(typed[name])
        for name in added_columns(typed, contract)
        if name != id_column and typed[name].notna().any()
    }


def optional_roles(data: DataParams, scoring: bool) -> set[str]:
    """Columns that may be absent: when scoring, the label, the id and the timestamp."""
    return {data.target, data.id, data.timestamp} - {""} if scoring else set()


def required_timestamp(column: ColumnContract, data: DataParams, scoring: bool) -> ColumnContract:
    """The data.timestamp column is required in training data whatever the contract says: a
    row without a snapshot belongs to no split (quarantined as null:COL, as a missing id is)."""
    if scoring or column.name != data.timestamp or not column.nullable:
        return column
    return replace(column, nullable=False)


def contract_column_checks(frame, contract, policies, data, where, rules) -> dict[str, ColumnCheck]:
    """Every contract column coerced and checked, in contract order; rules: (scoring,
    retype_min, names, the rows' snapshot stamps), as check_columns takes them."""
    scoring, retype_min, names, stamps = rules
    checks = {}
    for contract_column in contract.columns:
        column = required_timestamp(contract_column, data, scoring)
        if column.name not in frame.columns:
            if column.name not in optional_roles(data, scoring):
                checks[column.name] = impute_column(frame.index, column)
        elif column.role == "target" and column.name == data.target:
            checks[column.name] = check_label(frame[column.name], column, data, where)
        else:
            raw = frame[column.name]
            dated = None if column.name == data.timestamp else stamps
            checks[column.name] = check_feature(
                raw, column, policies, where, scoring, retype_min, names, dated
            )
    return checks


def check_columns(
    frame,
    contract,
    policies,
    data,
    where,
    scoring,
    retype_min=1,
    include=None,
    names=FROM_PARAMS,
    kinds: Mapping[str, str] | None = None,
) -> dict[str, ColumnCheck]:
    """Every contract column (and included new column: those named in include, or every one
    when it is None) coerced and checked, in contract order; names: what set the CSV format;
    kinds: the type each new column is held to (default: typed from its values here)."""
    stamps = row_stamps(frame, data, where)
    rules = (scoring, retype_min, names, stamps)
    checks = contract_column_checks(frame, contract, policies, data, where, rules)
    if policies.new_column == "include":
        new_rules = (policies, scoring, retype_min, stamps)
        checks |= new_column_checks(
            frame, contract, data, (where, names), new_rules, include, kinds
        )
    return with_customer_ids(checks, data.id)


def new_column_checks(frame, contract, data, found, rules, include, kinds) -> dict:
    """check_new_column of each column outside the contract that include names (every one when
    None), held to its type in kinds when given; found: (where, names); rules: (policies,
    scoring, retype_min, stamps)."""
    where, names = found
    return {
        name: check_new_column(
            frame[name], name, name == data.id, where, names, ((kinds or {}).get(name), *rules)
        )
        for name in added_columns(frame, contract)
        if include is None or name in include
    }


def row_stamps(frame: pd.DataFrame, data: DataParams, where: str) -> Callable[[], pd.Series] | None:
    """Each row's data.timestamp as a date, read once and only when a column asks for it (one
    with wrong-typed values, to judge per snapshot whether it changed type); None without a
    timestamp column (a type change is then judged on the whole column)."""
    if not data.timestamp or data.timestamp not in frame.columns:
        return None
    return cache(lambda: coerce_in(frame[data.timestamp], "datetime", where).values)


def row_snapshots(typed: pd.DataFrame, timestamp: str, where: str) -> pd.Series | None:
    """Each typed row's snapshot: the calendar month of its data.timestamp (2026-03 for 2026-03-04
    and 2026-03-19 alike, as split and drift read months); for a contract typing it as text, the
    month as text, or a value that reads as no date as written; None without a timestamp."""
    if not timestamp or timestamp not in typed.columns:
        return None
    stamps = typed[timestamp]
    if pd.api.types.is_datetime64_any_dtype(stamps):
        return snapshot_months(stamps)  # months (Period): no text to make of 100k rows
    months = read_snapshot_months(stamps, where)  # a contract's text, as batch scoring reads it
    return months.astype("string").where(months.notna(), stamps.astype("string"))


def with_customer_ids(checks: dict[str, ColumnCheck], id_column: str) -> dict[str, ColumnCheck]:
    """The id column's text values as customer_ids ("100001.0" is "100001"), so that duplicate
    ids, sorting and the split see one spelling per customer; a contract typing the id as a
    number is left as it is."""
    check = checks.get(id_column) if id_column else None
    if check is None or pd.api.types.is_numeric_dtype(check.values):
        return checks
    if pd.api.types.is_datetime64_any_dtype(check.values):
        return checks
    values = zero_fractions_cut(check.values)  # coerced: stripped, markers missing
    if values is check.values:
        return checks
    return {**checks, id_column: replace(check, values=values, dictionary=None)}


def added_columns(frame: pd.DataFrame, contract: Contract) -> list[str]:
    return [str(name) for name in frame.columns if name not in contract.names()]
