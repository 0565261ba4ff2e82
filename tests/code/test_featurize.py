"""Featurize stage: the spec is fitted on the training split alone, never on the label, id or
timestamp."""

import numpy as np
import pandas as pd

from churn.features import UNKNOWN, FeatureSpec
from tests.helpers import featurize_splits

ROWS = 40


def split_rows(plan: str, month: str) -> pd.DataFrame:
    at = np.arange(ROWS)
    return pd.DataFrame(
        {
            "customer_id": [f"{plan}{month}{i}" for i in at],
            "month": pd.Timestamp(month) + pd.to_timedelta(at % 2 * 20, unit="D"),
            "plan": np.where(at % 2, "free", plan),
            "tenure": at % 7,
            "churned": at % 2,
        }
    )


def run_featurize(tmp_path, splits: dict[str, pd.DataFrame]) -> FeatureSpec:
    return FeatureSpec.load(featurize_splits(tmp_path, splits, timestamp="month"))


def test_levels_seen_only_in_the_valid_or_test_split_are_unknown_to_the_spec(tmp_path):
    """Fitting on every split would leak the test month's new plan into the feature set."""
    spec = run_featurize(
        tmp_path,
        {
            "train": split_rows("plus", "2026-01-01"),
            "valid": split_rows("gold", "2026-01-01"),
            "test": split_rows("gold", "2026-02-01"),
        },
    )
    assert spec.categorical["plan"] == ["free", "plus", "__missing__", UNKNOWN]
    test = pd.read_parquet(tmp_path / "proc" / "test.parquet")
    assert test[f"plan={UNKNOWN}"].sum() == ROWS // 2  # every gold row


def test_the_label_id_and_timestamp_are_never_features(tmp_path):
    train = pd.concat([split_rows("plus", "2026-01-01"), split_rows("plus", "2026-02-01")])
    spec = run_featurize(
        tmp_path,
        {"train": train, "valid": train, "test": split_rows("plus", "2026-03-01")},
    )
    assert spec.input_columns == ["tenure", "plan"]
    assert spec.excluded == ["churned", "customer_id", "month"]
