"""Splits come back freshly indexed (surviving mutant of churn.split)."""

import pandas as pd

from churn.data_params import DataParams
from churn.params import SplitParams
from churn.split import split_frame


def test_each_split_is_indexed_from_zero():
    frame = pd.DataFrame({"x": range(200), "churned": [0, 1] * 100})
    data = DataParams("churned", 1, "", "")
    for part in split_frame(frame, data, SplitParams(valid_size=0.25, test_size=0.2), 3):
        assert part.index.equals(pd.RangeIndex(len(part)))
