"""Contract columns that vanish from a snapshot. Ingest fills a column that one month's file
lacks (dropped or renamed upstream) with missing values, so validate would see only a nullable
column that is empty that month, and train and score on it as if nothing happened; batch
scoring refuses the same month's file for the missing column (contract.missing_column)."""

from __future__ import annotations

import pandas as pd

from churn.column_checks import coerce_in
from churn.contract_spec import Contract
from churn.data_params import DataParams, Policies
from churn.errors import ChurnError, listing
from churn.type_changes import snapshot_months

# A snapshot is judged only where the snapshots before it lead to expect at least this many
# values: a sparse column may well be empty in a small month by chance.
EXPECTED_VALUES = 20


def vanished_months(present: pd.Series, months: pd.Series) -> list[str]:
    """The snapshots in which a column has no value although the snapshots since its first value
    had enough of them to expect EXPECTED_VALUES (a column arriving later has not vanished)."""
    counts = present.groupby(months).agg(["sum", "size"]).sort_index()
    vanished, seen, rows = [], 0, 0
    for month, (values, size) in counts.iterrows():
        if values == 0 and rows and size * seen / rows >= EXPECTED_VALUES:
            vanished.append(str(month))
        if seen or values:
            seen, rows = seen + int(values), rows + int(size)
    return vanished


def feature_names(
    frame: pd.DataFrame, contract: Contract, policies: Policies, data: DataParams
) -> list[str]:
    """The columns the model may train on: the contract's features and, under
    contract.new_column: include, the columns outside it (validate keeps them as features)."""
    names = [column.name for column in contract.columns if column.role == "feature"]
    if policies.new_column == "include":
        roles = {data.target, data.id, data.timestamp}
        names += [str(n) for n in frame.columns if n not in contract.names() and n not in roles]
    return [name for name in names if name in frame.columns]


def vanished_columns(
    frame: pd.DataFrame, names: list[str], months: pd.Series
) -> dict[str, list[str]]:
    """Each of the named columns that vanished, with the snapshots it vanished from."""
    found = {name: vanished_months(frame[name].notna(), months) for name in names}
    return {name: snapshots for name, snapshots in found.items() if snapshots}


def arrivals(
    frame: pd.DataFrame, contract: Contract, months: pd.Series, snapshot: str
) -> list[str]:
    """Columns outside the contract whose first values are in snapshot (a rename's new name)."""
    inside = months.eq(pd.Period(snapshot, freq="M")).to_numpy()
    return [
        str(name)
        for name in frame.columns
        if name not in contract.names()
        and frame.loc[inside, name].notna().any()
        and not frame.loc[~inside, name].notna().any()
    ]


def check_vanished(
    frame: pd.DataFrame, contract: Contract, policies: Policies, data: DataParams, where: str
) -> list[str]:
    """The feature columns that vanished from a snapshot (a calendar month of data.timestamp),
    which contract.missing_column: impute keeps as missing there (reported); under fail, a
    ChurnError naming each with its snapshots, and the columns new in the first one (a rename's
    likely new name)."""
    if not data.timestamp or data.timestamp not in frame.columns:
        return []
    stamps = coerce_in(frame[data.timestamp], "datetime", where).values
    months = snapshot_months(stamps).set_axis(frame.index)  # grouped by as a Series: fast
    vanished = vanished_columns(frame, feature_names(frame, contract, policies, data), months)
    if not vanished or policies.missing_column != "fail":
        return sorted(vanished)
    named = "; ".join(f"'{name}' in {', '.join(gone)}" for name, gone in vanished.items())
    first = min(month for gone in vanished.values() for month in gone)
    new = arrivals(frame, contract, months, first)
    hint = f"; new in {first}: {listing([repr(n) for n in new])}" if new else ""
    raise ChurnError(
        f"{where}: feature column(s) with no value in a snapshot after months with values "
        f"(missing from that month's file, dropped or renamed?): {named}{hint} "
        "(contract.missing_column: fail)",
        rows=frame.index[months.eq(pd.Period(first, freq="M")).to_numpy()],
    )
