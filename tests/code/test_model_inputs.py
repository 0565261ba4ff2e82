"""A contract for scoring that lacks a model input is refused at start (churn.model_inputs):
the input was checked only as a new column, without its range."""

from __future__ import annotations

import pytest

from churn.contract_spec import Contract
from churn.errors import ChurnError
from churn.features import FeatureSpec
from churn.model_inputs import check_model_inputs

CONTRACT = Contract.from_yaml(
    """version: 1
columns:
  sessions_30d: {role: feature, type: numeric, nullable: false, min: 0}
  orders_30d: {role: feature, type: numeric, nullable: false, min: 0}
  device: {role: feature, type: categorical, nullable: true}
"""
)
SPEC = FeatureSpec(["sessions_30d", "orders_30d"], {"device": ["mobile"]}, ["orders_per_session"])


def test_a_contract_with_every_model_input_is_taken():
    check_model_inputs(CONTRACT, SPEC, "ignore", "c.yaml")


def test_a_contract_without_a_model_input_is_refused_naming_it():
    spec = FeatureSpec([*SPEC.numeric, "tenure_months"], SPEC.categorical, SPEC.engineered)
    message = r"^c.yaml lacks 'tenure_months', a model input \(the feature spec\); with contract."
    with pytest.raises(ChurnError, match=message + r"new_column: ignore no column outside"):
        check_model_inputs(CONTRACT, spec, "ignore", "c.yaml")
    check_model_inputs(CONTRACT, spec, "include", "c.yaml")  # validate kept such columns


def test_an_engineered_feature_listed_as_a_data_column_is_named_as_such():
    """The server started and batch scoring then asked for `orders_per_session`."""
    spec = FeatureSpec([*SPEC.numeric, "orders_per_session"], SPEC.categorical, [])
    message = (
        r"c.yaml lacks 'orders_per_session', an engineered feature \(built from orders_30d, "
        r"sessions_30d\) that the feature spec lists as a column of the data"
    )
    with pytest.raises(ChurnError, match=message):
        check_model_inputs(CONTRACT, spec, "ignore", "c.yaml")
