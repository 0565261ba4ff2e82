"""The data contract applied to a chunk to score: the valid rows typed, in input order, and the
failed rows' positions and reasons, without the frames apply_contract builds for validate."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from churn.artifacts import Artifacts
from churn.column_checks import ColumnCheck
from churn.contract_columns import check_columns
from churn.csv_header import FROM_PARAMS, SettingNames
from churn.data_params import DataParams
from churn.errors import ChurnError, spelt_alike
from churn.features import FeatureSpec
from churn.model_matrix import encode_dictionary, encode_levels
from churn.type_changes import RETYPE_MIN_SCORED
from churn.validation import check_schema_policies, diff_schema


@dataclass(frozen=True)
class ContractRows:
    """A chunk after the contract's checks: the valid rows typed (input order, fresh index) and
    their input positions, the failed rows' positions and reasons, what coercion did."""

    valid: pd.DataFrame
    positions: np.ndarray
    failed_at: np.ndarray
    reasons: list[str]
    coerced: dict[str, dict[str, int]]
    dictionaries: dict[str, tuple[np.ndarray, list]]  # of all rows: ColumnCheck.dictionary


def first_failures(rows: int, failures: list[tuple[str, pd.Series]]) -> np.ndarray:
    """Per row, the position in failures of the first check it failed (len(failures) when it
    passed them all), as validation.first_reasons orders them."""
    codes = np.full(rows, len(failures))
    for code, (_, mask) in reversed(list(enumerate(failures))):
        flags = mask.to_numpy() if mask.dtype == bool else mask.fillna(False).to_numpy(dtype=bool)
        if flags.any():  # most checks fail no row
            codes[flags] = code
    return codes


def check_role_spellings(columns: pd.Index, data: DataParams, where: str) -> None:
    """Refuse an input holding the id or snapshot column (optional to score) only under another
    spelling ('Customer_ID'): scored without it, every id silently became a row number."""
    for role in ("id", "timestamp"):
        name = getattr(data, role)
        if name and name not in columns and (other := spelt_alike(name, columns)) is not None:
            raise ChurnError(
                f"{where}: column '{name}' (data.{role}) not found (did you mean {other!r}? "
                "names must match exactly)"
            )


def scoring_checks(
    frame: pd.DataFrame, artifacts: Artifacts, where: str, names: SettingNames
) -> dict[str, ColumnCheck]:
    """The contract's column checks of a chunk to score (names: what set the CSV format, for
    the hints)."""
    data, contract = artifacts.data, artifacts.contract
    # Columns outside the contract are kept when the model needs them (others are only listed).
    policies = replace(artifacts.policies, new_column="include")
    # a contract column the model does not read (one featurize left out) is not needed to score
    needed, known = {*artifacts.spec.input_columns, data.id}, set(contract.names())
    # The label and timestamp are optional when scoring and unused, as are the contract columns
    # the model does not read: not checked (an API record has none of them to check; a bad date
    # in one rejected the row, dates that read two ways stopped the batch).
    unused = ({data.target, data.timestamp} - {""}) | (known - needed)
    checked = frame.drop(columns=[c for c in frame.columns if c in unused])
    early = diff_schema(checked, contract, {}, data, True)
    early["missing"] = [name for name in early["missing"] if name in needed]
    check_schema_policies(early, contract, policies, where, checked.columns)
    check_role_spellings(frame.columns, data, where)  # after the fuller missing-columns error
    # Of the columns outside the contract, only those the model reads (and the id, which a
    # contract may leave out) are checked, costly per column on wide inputs; the others are
    # listed as ignored.
    wanted = [*artifacts.spec.input_columns, data.id]
    new = [name for name in wanted if name and name not in known]
    # each held to the type the model reads it as, as validate held the rows to score to the
    # type training gave it: a batch of text in a number column was read as missing values
    kinds = {name: scored_kind(name, artifacts.spec) for name in new}
    rules = (RETYPE_MIN_SCORED, new, names, kinds)
    return check_columns(checked, contract, policies, data, where, True, *rules)


def scored_kind(name: str, spec: FeatureSpec) -> str:
    """The type a column outside the contract is held to in a batch: the model's, a flag when
    featurize recorded one (spec.flags: validate held the rows to score to a flag, yes/no read
    as 1/0 and a 2 made missing), else numeric or categorical. Never a flag read from the
    batch's own spellings: a row's reading hung on the rows sharing its chunk."""
    if name in spec.flags:
        return "boolean"
    return "numeric" if name in spec.numeric else "categorical"


def contract_for_scoring(
    frame: pd.DataFrame, artifacts: Artifacts, where: str, names: SettingNames = FROM_PARAMS
) -> ContractRows:
    """apply_contract as scoring needs it (rows kept in input order, no repeats checked), without
    the frames of rejected rows it would build: only their positions and reasons are needed."""
    checks, target = scoring_checks(frame, artifacts, where, names), artifacts.data.target
    typed = pd.DataFrame({name: check.values for name, check in checks.items()}, index=frame.index)
    label_first = sorted(checks, key=lambda name: name != target)
    failures = [failure for name in label_first for failure in checks[name].failures]
    codes = first_failures(len(frame), failures)
    ok = codes == len(failures)
    failed_at = np.flatnonzero(~ok)
    reasons = [failures[code][0] for code in codes[failed_at]]
    valid = typed.reset_index(drop=True) if ok.all() else typed[ok].reset_index(drop=True)
    coerced = {name: check.coerced for name, check in checks.items() if check.coerced}
    read = {name: check.dictionary for name, check in checks.items() if check.dictionary}
    return ContractRows(valid, np.flatnonzero(ok), failed_at, reasons, coerced, read)


def category_codes(valid: pd.DataFrame, spec: FeatureSpec, dictionaries: dict, positions):
    """model_matrix.encode_categories of the valid rows, from the columns' dictionaries (see
    ContractRows) where the checks read them: their codes taken at the rows' positions."""
    return {
        col: encode_dictionary(dictionaries[col][0][positions], dictionaries[col][1], levels)
        if col in dictionaries
        else encode_levels(valid[col], levels)
        for col, levels in spec.categorical.items()
    }
