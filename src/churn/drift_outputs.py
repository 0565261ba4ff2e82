"""Drift outputs: where they may go (checked before the comparison), drift.json as strict JSON,
and the plots."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from pathlib import Path

import pandas as pd

from churn.drift_decision import column_or_missing
from churn.drift_plots import plot_feature, plot_overview
from churn.outputs import check_destination, non_finite_replaced
from churn.tables import writing


def check_destinations(out: Path | None, plots: Path | None) -> None:
    """Refuse, before any work, a drift.json or a plot folder that cannot be written."""
    if out is not None:
        check_destination(str(out))
    if plots is not None:
        check_destination(str(plots), folder=True)


def write_report(report: dict, out: Path) -> None:
    with writing(out):
        out.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(
            non_finite_replaced(report, lambda _: None), indent=2, sort_keys=True, allow_nan=False
        )
        out.write_text(text + "\n", encoding="utf-8")


# A column name as a file name: '/' would make a subfolder (the write then failed), and a column
# named overview would overwrite overview.png; '%' escaped too, so that no two names meet; the
# characters Windows forbids in a file name (a clone there could not check the file out) too.
FILE_ESCAPES = str.maketrans(
    {char: f"%{ord(char):02X}" for char in '%/\\<>:"|?*' + "".join(map(chr, range(32)))}
)
MAX_NAME_BYTES = 255  # the longest file name of ext4, APFS and most other file systems
HASHED = "%~"  # never in an escaped name, where each '%' starts two hex digits
# Windows' device names: CON.png or com1.x.png name the device, not a file, whatever the case
RESERVED = {"con", "prn", "aux", "nul"} | {
    f"{port}{digit}" for port in ("com", "lpt") for digit in "0123456789\u00b9\u00b2\u00b3"
}


def unreserved(escaped: str) -> str:
    """An escaped name (without .png) whose part before its first dot (trailing spaces aside,
    as Windows reads it) is a device name, or that is overview, with its first character
    escaped: %63on, %6Fverview."""
    device = escaped.split(".")[0].rstrip(" ").casefold() in RESERVED
    if not device and escaped != "overview":
        return escaped
    return f"%{ord(escaped[0]):02X}" + escaped[1:]


def plot_file_name(name: str) -> str:
    """The PNG file of a drifted feature's plot: the column's name escaped (FILE_ESCAPES; a
    device name or overview: see unreserved), then, when it holds a letter that case folding
    changes (Spend and spend are one file on a case-insensitive file system), is not in
    Unicode's composed form NFC (café written with a combining accent is café's file on macOS,
    which compares names normalized) or would exceed MAX_NAME_BYTES, cut to fit and ended by
    HASHED and a hash of the whole name. Each name ends .png: never in a dot or a space."""
    escaped = unreserved(name.translate(FILE_ESCAPES))
    fits = len(escaped.encode("utf-8")) + len(".png") <= MAX_NAME_BYTES
    if fits and name.casefold() == name == unicodedata.normalize("NFC", name):
        return f"{escaped}.png"
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:16]
    kept = ""
    for part in (char.translate(FILE_ESCAPES) for char in name):  # never half of a %2F
        if len(unreserved(f"{kept}{part}{HASHED}{digest}.png").encode("utf-8")) > MAX_NAME_BYTES:
            break
        kept += part
    return unreserved(f"{kept}{HASHED}{digest}") + ".png"


def write_plots(report: dict, reference: pd.DataFrame, current: pd.DataFrame, plots: Path) -> None:
    """An overview plus one plot per drifted feature (earlier PNGs removed; none when skipped)."""
    with writing(plots):
        plots.mkdir(parents=True, exist_ok=True)
        for old in plots.glob("*.png"):
            old.unlink()
        if report.get("skipped"):
            return
        plot_overview(report, plots / "overview.png")
        for name, row in report["features"].items():
            if row["drifted"]:
                ref = reference[name] if name in reference.columns else None
                cur = column_or_missing(current, name)
                plot_feature(name, row, ref, cur, plots / plot_file_name(name))


def write_outputs(report: dict, frames, out: Path | None, plots: Path | None) -> None:
    """drift.json when out is given, the plots when a plot folder is; frames: (reference,
    current)."""
    if out is not None:
        write_report(report, out)
    if plots is not None:
        write_plots(report, *frames, plots)
