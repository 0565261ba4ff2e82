"""`make bench-serve` (benchmarks/serve_load.py) before the pipeline has run."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.helpers import REPO, repo_env


def test_a_fresh_clone_is_told_to_run_the_pipeline_first(tmp_path: Path):
    """Without the pipeline's outputs it was a FileNotFoundError traceback, exit 1."""
    (tmp_path / "benchmarks").mkdir()
    shutil.copy(REPO / "benchmarks/serve_load.py", tmp_path / "benchmarks")
    result = subprocess.run(
        [sys.executable, "benchmarks/serve_load.py", "--batch-only"],
        cwd=tmp_path,
        env=repo_env(REPO),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr == (
        "serve_load: not found: data/interim/split/test.parquet, data/processed/test.parquet, "
        "models/model.json, models/features.json; run `dvc repro` (or `dvc pull`) first\n"
    )
