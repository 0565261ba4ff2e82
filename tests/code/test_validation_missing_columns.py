"""Missing contract columns: only features count towards 'most are missing' under impute, and
up to MANY_MISSING missing columns are named without a count."""

import pytest

from churn.contract_spec import ColumnContract, Contract
from churn.data_params import Policies
from churn.errors import ChurnError
from churn.validation import MANY_MISSING, check_missing, missing_columns

ROLES = {"customer_id": "id", "month": "timestamp", "churned": "target"}
CONTRACT = Contract(
    [ColumnContract(name, role, "categorical", False) for name, role in ROLES.items()]
    + [ColumnContract(name, "feature", "numeric", True) for name in ("a", "b", "c")]
)
IMPUTE = Policies(missing_column="impute")


def test_missing_id_timestamp_and_label_do_not_count_towards_most_features_missing():
    check_missing(["customer_id", "month", "churned", "a"], CONTRACT, IMPUTE, "here", ["b", "c"])
    with pytest.raises(ChurnError, match="here: 2 of 3 contract feature columns are missing"):
        check_missing(["a", "b"], CONTRACT, IMPUTE, "here", ["c"])


def test_up_to_many_missing_columns_are_named_without_a_count():
    names = [f"c{i}" for i in range(MANY_MISSING + 1)]
    named = missing_columns(names[:MANY_MISSING], 20, spelt_otherwise=False)
    assert named.startswith("columns 'c0'") and "of the contract's" not in named
    counted = missing_columns(names, 20, spelt_otherwise=False)
    assert counted.startswith(f"{MANY_MISSING + 1} of the contract's 20 columns are missing")
