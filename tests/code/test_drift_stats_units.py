"""Fast unit tests of drift_stats' small pieces: shares, PSI's sign, decile edges, unseen share
and the two-proportion test."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from churn.drift_stats import (
    EPSILON,
    decile_edges,
    missing_stats,
    psi,
    shares,
    two_proportion_p_value,
    unseen_share,
)


def test_empty_counts_are_epsilon_shares_and_psi_is_positive_either_way():
    assert shares(np.zeros(3)).tolist() == [EPSILON] * 3
    low, high = shares(np.array([9, 1])), shares(np.array([1, 9]))
    assert psi(low, high) > 0 and psi(high, low) == pytest.approx(psi(low, high))


def test_tied_deciles_merge_into_one_edge():
    assert decile_edges(pd.Series([5.0] * 10)).tolist() == [-np.inf, 5.0, np.inf]


def test_unseen_share_discounts_the_references_singletons_and_never_goes_below_zero():
    reference = pd.Series(["a", "a", "b", "c"])  # half of the rows are levels seen once
    assert unseen_share(reference, pd.Series(["z", "z", "z", "a"])) == pytest.approx(0.25)
    assert unseen_share(reference, pd.Series(["a"] * 4)) == 0.0


def test_the_two_proportion_test_is_two_sided_and_1_without_variance():
    z = (0.5 - 0.1) / np.sqrt(0.3 * 0.7 * (2 / 50))
    assert two_proportion_p_value((5, 25), (50, 50)) == pytest.approx(2 * stats.norm.sf(z))
    assert two_proportion_p_value((0, 0), (50, 50)) == 1.0


def test_a_fall_in_the_missing_rate_is_negative():
    reference, current = pd.Series([np.nan, 1.0]), pd.Series([1.0, 1.0])
    assert missing_stats(reference, current, small=False) == {"missing_rate_change": -0.5}
