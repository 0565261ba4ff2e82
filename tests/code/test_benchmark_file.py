"""`make bench` writes its tables into BENCHMARKS.md without losing the notes people wrote."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

from tests.helpers import REPO


def bench_module():
    spec = importlib.util.spec_from_file_location("bench_run", REPO / "benchmarks" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def document(label: str, notes: str = "") -> str:
    return (
        f"# Benchmarks\n\nMeasured {label}.\n\n## Pipeline\n\n| measure | value |\n|---|---|\n"
        f"| no-op | {label} |\n{notes}\n## Stages at default size\n\nStages alone, {label} UTC:\n\n"
        f"| stage | seconds |\n|---|---|\n| train | {label} |\n"
    )


def test_a_new_run_keeps_the_run_before_and_every_note():
    """make bench rewrote everything above `## Serving`: the run history written by hand went."""
    old = document("old", "\n- This table: a note on the old run.\n- The table before: ...\n")
    old += "\n## Serving\n\nserving notes\n"
    merged = bench_module().merged_benchmarks(old, document("new"))
    assert merged.startswith("# Benchmarks\n\nMeasured new.\n\n## Pipeline\n\n")
    assert merged.index("| no-op | new |") < merged.index("- The run before, replaced by")
    assert merged.index("- The run before, replaced by") < merged.index("| no-op | old |")
    assert "- This table: a note on the old run.\n- The table before: ...\n" in merged
    assert "| train | new |" in merged and "| train | old |" not in merged
    # the stage table's caption is the new run's: the old one had kept an older run's date
    assert "Stages alone, new UTC:" in merged and "Stages alone, old UTC:" not in merged
    assert merged.endswith("## Serving\n\nserving notes\n")


def test_a_first_run_writes_the_tables_alone():
    assert bench_module().merged_benchmarks("", document("new")) == document("new")


def test_the_script_runs_its_main_when_run():
    """`make bench` runs the file: its main() had lost its call, so it exited 0 having measured
    and written nothing."""
    ran = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "run.py"), "--help"],
        capture_output=True,
        text=True,
    )
    assert ran.returncode == 0 and ran.stdout.startswith("usage: run.py"), ran
