"""Drift plots: reference against current for one feature, and an overview of all features."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib import style
from matplotlib.figure import Figure  # object API: Agg canvas, no pyplot state, no display

from churn.coercion import coerce
from churn.raw_text import as_text

METADATA = {"Software": None}  # no version string: identical plots give identical files
# matplotlib's own settings, not a matplotlibrc of the user's (home, $MATPLOTLIBRC or the working
# folder): the PNGs are stage outputs, whose md5 dvc.lock records
STYLE = "default"


def plot_numeric(axes, reference: pd.Series | None, current: pd.Series) -> None:
    """Overlaid density histograms on shared bins."""
    cur = coerce(current, "numeric").values.dropna()
    ref = coerce(reference, "numeric").values.dropna() if reference is not None else cur.iloc[:0]
    both = pd.concat([ref, cur])
    edges = np.histogram_bin_edges(both.clip(*both.quantile([0.005, 0.995])), bins=30)
    for values, label in ((ref, "reference"), (cur, "current")):
        if len(values):
            axes.hist(values.clip(edges[0], edges[-1]), edges, density=True, alpha=0.5, label=label)


LEVELS_SHOWN = 15  # more bars are unreadable: the largest share changes, the rest as one bar


def shown_shares(ref: pd.Series, cur: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Both sides' share per level, by level; beyond LEVELS_SHOWN levels (cities, zip codes),
    the levels whose share changed most, then one bar for the others."""
    levels = sorted(set(cur.index) | set(ref.index))
    ref, cur = ref.reindex(levels, fill_value=0.0), cur.reindex(levels, fill_value=0.0)
    if len(levels) <= LEVELS_SHOWN:
        return ref, cur
    kept = sorted((cur - ref).abs().nlargest(LEVELS_SHOWN - 1, keep="first").index)
    other = f"other ({len(levels) - len(kept)} levels)"
    ref, cur = (
        pd.concat([side[kept], pd.Series({other: 1 - side[kept].sum()})]) for side in (ref, cur)
    )
    return ref, cur


def plot_categorical(axes, reference: pd.Series | None, current: pd.Series) -> None:
    """Side-by-side bars of each level's share (see shown_shares)."""
    cur = as_text(current).value_counts(normalize=True)
    ref = as_text(reference).value_counts(normalize=True) if reference is not None else None
    ref_shares, cur_shares = shown_shares(cur.iloc[:0] if ref is None else ref, cur)
    x = np.arange(len(cur_shares))
    if ref is not None:
        axes.bar(x - 0.2, ref_shares, 0.4, label="reference")
    axes.bar(x + 0.2, cur_shares, 0.4, label="current")
    axes.set_xticks(x, list(cur_shares.index), rotation=45, ha="right")


def plot_feature(name: str, row: dict, reference, current: pd.Series, path: Path) -> None:
    """One PNG comparing the feature's reference and current distributions."""
    with style.context(STYLE):
        figure = Figure(figsize=(6, 3.5))
        axes = figure.subplots()
        draw = plot_numeric if row["type"] == "numeric" else plot_categorical
        draw(axes, reference, current)
        effects = ", ".join(f"{k} {row[k]:.3f}" for k in ("psi", "wasserstein", "js") if k in row)
        axes.set_title(f"{name}: {effects}, missing {row['missing_rate_change']:+.3f}", fontsize=9)
        axes.legend()
        figure.tight_layout()
        figure.savefig(path, dpi=80, metadata=METADATA)


def plot_overview(report: dict, path: Path) -> None:
    """PSI per feature, drifted features highlighted."""
    names = sorted(report["features"])
    values = [report["features"][n]["psi"] for n in names]
    colours = ["tab:red" if report["features"][n]["drifted"] else "tab:blue" for n in names]
    with style.context(STYLE):
        figure = Figure(figsize=(7, 0.25 * len(names) + 1.2))
        axes = figure.subplots()
        axes.barh(names, values, color=colours)
        axes.invert_yaxis()
        axes.set_xlabel("PSI (red: drifted)")
        axes.set_title(f"drift: {report['drift']}", fontsize=9)
        figure.tight_layout()
        figure.savefig(path, dpi=80, metadata=METADATA)
