"""What split advises when a split lacks a class (surviving mutant of churn.split)."""

from churn.data_params import DataParams
from churn.params import SplitParams
from churn.split import split_advice

PARAMS = SplitParams(valid_size=0.25, test_size=0.2)


def test_a_time_splits_test_month_needs_known_labels_not_other_sizes():
    dated = DataParams("churned", 1, "customer_id", "snapshot_month")
    assert split_advice("test", dated, PARAMS) == (
        "the newest snapshot is the test split: its labels must be known"
    )
    assert "split.valid_size (0.25)" in split_advice("valid", dated, PARAMS)
    assert "test_size" not in split_advice("valid", dated, PARAMS)
