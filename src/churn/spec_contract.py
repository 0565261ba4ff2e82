"""Input rules derived from the feature spec: what scoring checked with no contract file before
validate wrote the contract it applied (kept for revisions made before that)."""

from __future__ import annotations

from churn.contract_spec import ColumnContract, Contract
from churn.features import MISSING, UNKNOWN, FeatureSpec


def known_levels(levels: list[str]) -> list[str]:
    return [level for level in levels if level not in (MISSING, UNKNOWN)]


def contract_from_spec(spec: FeatureSpec, id_column: str) -> Contract:
    """A contract for the model's input columns: types and category lists only (no ranges,
    every feature nullable)."""
    numeric = [ColumnContract(name, "feature", "numeric") for name in spec.numeric]
    categorical = [
        ColumnContract(name, "feature", "categorical", categories=known_levels(levels))
        for name, levels in spec.categorical.items()
    ]
    ids = [ColumnContract(id_column, "id", "categorical", nullable=False)] if id_column else []
    return Contract([*ids, *numeric, *categorical])
