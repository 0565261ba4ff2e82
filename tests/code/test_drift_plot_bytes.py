"""The drift stage's PNGs are outputs whose md5 dvc.lock records: their bytes depend on the
drift alone, not on a matplotlibrc of the user's (in the home folder, $MATPLOTLIBRC or the
working folder), which matplotlib reads into rcParams as it starts."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd

from churn.drift_plots import plot_feature, plot_overview

REPORT = {
    "drift": True,
    "features": {
        "tenure_months": {"psi": 0.31, "drifted": True},
        "device": {"psi": 0.02, "drifted": False},
    },
}
ROW = {"type": "numeric", "psi": 0.31, "wasserstein": 0.2, "missing_rate_change": 0.0}
USERS_RC = {"font.size": 14, "axes.facecolor": "#eeeeee", "lines.linewidth": 3}


def draw_both(folder) -> dict[str, bytes]:
    """The overview and one feature's plot, as bytes."""
    folder.mkdir()
    rng = np.random.default_rng(0)
    reference, current = pd.Series(rng.normal(size=500)), pd.Series(rng.normal(1, size=500))
    plot_overview(REPORT, folder / "overview.png")
    plot_feature("tenure_months", ROW, reference, current, folder / "tenure_months.png")
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def test_a_users_matplotlib_settings_change_no_byte_of_the_drift_plots(tmp_path):
    """Before, a matplotlibrc setting font.size (say) gave other PNGs, which `dvc status` never
    saw: the committed drift plots then differed by machine."""
    plain = draw_both(tmp_path / "plain")
    with matplotlib.rc_context(USERS_RC):  # as a matplotlibrc would set them
        styled = draw_both(tmp_path / "styled")
    assert plain == styled
