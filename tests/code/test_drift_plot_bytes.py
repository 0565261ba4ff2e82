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


TRICKY_NAMES = [
    "spend",
    "Spend",
    "SPEND",
    "overview",
    "Overview",
    "orders/session",
    "Orders/Session",
    "%6Fverview",
    "straße",
    "STRASSE",
    "é" * 200,  # 400 bytes of UTF-8
    "É" * 200,
    "a" * 300,
    "a" * 299 + "b",
    "x/" * 100,  # escaped to 400 bytes
]


def test_plot_file_names_are_short_unique_and_distinct_whatever_the_case():
    """A column name of more than 251 bytes failed the stage (`File name too long`), and
    Spend.png and spend.png were one file on a case-insensitive file system (macOS, Windows): one
    plot overwrote the other."""
    from churn.drift_outputs import plot_file_name

    files = [plot_file_name(name) for name in TRICKY_NAMES]
    assert all(len(file.encode("utf-8")) <= 255 for file in files)
    assert len({file.casefold() for file in files}) == len(TRICKY_NAMES)
    assert not any("/" in file or "\\" in file for file in files)
    assert files == [plot_file_name(name) for name in TRICKY_NAMES]  # the same on every run
    assert files[:1] + files[3:4] + files[5:6] == [
        "spend.png",
        "%6Fverview.png",
        "orders%2Fsession.png",
    ]


def test_the_stage_writes_a_plot_per_drifted_column_whatever_its_name(tmp_path):
    from churn.drift_outputs import write_plots

    rng = np.random.default_rng(1)
    names = ["spend", "Spend", "a" * 300]
    reference = pd.DataFrame({name: rng.normal(0, 1, 600) for name in names})
    current = pd.DataFrame({name: rng.normal(3, 1, 600) for name in names})
    row = {"type": "numeric", "psi": 1.0, "missing_rate_change": 0.0, "drifted": True}
    report = {"drift": True, "features": {name: dict(row) for name in names}}
    write_plots(report, reference, current, tmp_path)
    written = {path.name.casefold() for path in tmp_path.iterdir()}
    assert len(written) == len(names) + 1  # and overview.png


def test_a_name_and_its_decomposed_spelling_get_two_plot_files():
    """café (é one code point) and café written with a combining accent are one file name on
    macOS, which normalizes names: both were café.png, one plot overwriting the other."""
    import unicodedata

    from churn.drift_outputs import plot_file_name

    files = [plot_file_name(name) for name in ("caf\u00e9", "cafe\u0301")]
    assert files[0] == "caf\u00e9.png"
    assert len({unicodedata.normalize("NFC", file).casefold() for file in files}) == 2


WINDOWS_NAMES = [
    *(f"a{char}b" for char in '<>:"\\|?*\t\n\x01\x1f'),
    *("con", "nul", "aux", "prn", "com1", "lpt9", "com\u00b9", "CON", "Nul", "con.x", "con .x"),
    *("nul.tar.gz", "spend.", "spend ", "a%3Ab", "%63on", "c%6Fn"),
]
WINDOWS_DEVICES = {"con", "prn", "aux", "nul"} | {
    f"{port}{digit}" for port in ("com", "lpt") for digit in "0123456789\u00b9\u00b2\u00b3"
}


def test_plot_file_names_are_files_a_windows_clone_can_check_out():
    """A drifted column named a:b or con made a:b.png (a character Windows forbids) or con.png
    (the console device, whatever the extension or case): a clone on Windows failed to check
    out metrics/drift_plots/. Each is escaped as URLs spell it, and no two names meet."""
    from churn.drift_outputs import plot_file_name

    files = [plot_file_name(name) for name in WINDOWS_NAMES]
    assert not [file for file in files if set(file) & set('<>:"/\\|?*') or min(file) < " "]
    stems = [file.split(".")[0].rstrip(" ").casefold() for file in files]
    assert not set(stems) & WINDOWS_DEVICES
    assert not [file for file in files if file[-1] in ". "]
    assert len({file.casefold() for file in files}) == len(WINDOWS_NAMES)
    assert files[:3] + files[12:13] == ["a%3Cb.png", "a%3Eb.png", "a%3Ab.png", "%63on.png"]


def test_the_stage_writes_the_plots_of_windows_unsafe_names_apart(tmp_path):
    """Each such column gets a PNG of its own (escaped, so no two share a file)."""
    from churn.drift_outputs import plot_file_name, write_plots

    names = ["a:b", "con"]
    rng = np.random.default_rng(2)
    reference = pd.DataFrame({name: rng.normal(0, 1, 300) for name in names})
    current = pd.DataFrame({name: rng.normal(3, 1, 300) for name in names})
    row = {"type": "numeric", "psi": 1.0, "missing_rate_change": 0.0, "drifted": True}
    write_plots(
        {"drift": True, "features": {n: dict(row) for n in names}}, reference, current, tmp_path
    )
    written = {path.name for path in tmp_path.iterdir()}
    assert written == {"overview.png", "a%3Ab.png", "%63on.png"}  # a:b.png, con.png before
    assert written == {"overview.png", *(plot_file_name(name) for name in names)}
