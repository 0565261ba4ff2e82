"""Comparison plots for the report: base and new on the same axes, written as PNG files."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

Points = Sequence[Mapping[str, float]]
CONFUSION_CELLS = (("tn", "fp"), ("fn", "tp"))
PNG_METADATA = {"Software": None}  # keeps the files byte-identical across matplotlib builds


@dataclass(frozen=True)
class CurveSpec:
    """One committed plot file and how to draw it."""

    name: str  # also the PNG file name
    title: str
    path: str
    x: str
    y: str
    diagonal: bool  # draw the chance (ROC) or perfect-calibration line


def draw_curves(spec: CurveSpec, base: Points | None, new: Points | None, out: Path) -> None:
    """Both revisions' curves on one axes; a missing side is left out of the legend."""
    figure = Figure(figsize=(5, 4), dpi=100)
    axes = figure.subplots()
    for label, points, style in (("base", base, "--"), ("new", new, "-")):
        if points:
            xs = [float(point[spec.x]) for point in points]
            ys = [float(point[spec.y]) for point in points]
            axes.plot(xs, ys, style, label=label)
    if spec.diagonal:
        axes.plot([0, 1], [0, 1], ":", color="grey", linewidth=1)
    axes.set(title=spec.title, xlabel=spec.x, ylabel=spec.y, xlim=(0, 1), ylim=(0, 1.02))
    axes.legend(loc="best")
    figure.tight_layout()
    figure.savefig(out, format="png", metadata=PNG_METADATA)


def confusion_grid(counts: Mapping[str, Any]) -> list[list[int]]:
    """[[tn, fp], [fn, tp]] from the evaluate stage's confusion counts (0 where absent)."""
    return [[int(counts.get(cell, 0) or 0) for cell in row] for row in CONFUSION_CELLS]


def draw_confusions(panels: Mapping[str, Mapping[str, Any]], out: Path) -> None:
    """One confusion matrix per revision, side by side, with counts written in the cells."""
    figure = Figure(figsize=(4 * len(panels), 3.6), dpi=100)
    axes_list = figure.subplots(1, len(panels), squeeze=False)[0]
    for axes, (label, counts) in zip(axes_list, panels.items(), strict=True):
        grid = confusion_grid(counts)
        axes.imshow(grid, cmap="Blues")
        darkest = max(max(row) for row in grid)
        for row in (0, 1):
            for column in (0, 1):
                value = grid[row][column]
                colour = "white" if value > darkest / 2 else "black"
                axes.text(column, row, f"{value:,}", ha="center", va="center", color=colour)
        axes.set(title=label, xlabel="predicted", ylabel="actual", xticks=[0, 1], yticks=[0, 1])
        axes.set_xticklabels(["stay", "churn"])
        axes.set_yticklabels(["stay", "churn"])
    figure.tight_layout()
    figure.savefig(out, format="png", metadata=PNG_METADATA)
