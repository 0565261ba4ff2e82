"""Files of an old git revision that are not UTF-8 (a Latin-1 params.yaml or metrics file in
history): one line naming the revision and the file, never a traceback or a wrong answer."""

import subprocess
import sys
from pathlib import Path

import pytest

from churn.errors import ChurnError
from churn.revision_files import exists_at_rev, read_json_at
from churn.revisions import metrics_diff, params_diff

DVC_YAML = """stages:
  evaluate:
    cmd: echo
    params:
      - train.max_depth
    metrics:
      - metrics/evaluate/metrics.json:
          cache: false
"""


@pytest.fixture
def latin1_history(tmp_path: Path, monkeypatch) -> Path:
    """A DVC repository whose first commit holds a Latin-1 params.yaml and metrics file, and
    whose second holds them as UTF-8."""
    monkeypatch.chdir(tmp_path)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run([*git, "init", "-q"], check=True)
    dvc = Path(sys.executable).parent / "dvc"
    subprocess.run([str(dvc), "init", "-q"], check=True)
    (tmp_path / "dvc.yaml").write_text(DVC_YAML)
    (tmp_path / "metrics" / "evaluate").mkdir(parents=True)
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "model.json").write_text("{}\n")
    for depth, note in ((4, "Gr\u00fc\u00dfe"), (5, "Gruesse")):
        encoding = "latin-1" if depth == 4 else "utf-8"
        params = f"# {note}\ntrain:\n  max_depth: {depth}\n"
        (tmp_path / "params.yaml").write_bytes(params.encode(encoding))
        metrics = f'{{"test": {{"roc_auc": 0.8, "note": "{note}"}}}}\n'
        (tmp_path / "metrics" / "evaluate" / "metrics.json").write_bytes(metrics.encode(encoding))
        subprocess.run([*git, "add", "-A"], check=True)
        subprocess.run([*git, "commit", "-q", "-m", f"depth {depth}"], check=True)
    return tmp_path


def test_a_revision_holding_files_that_are_not_utf8_is_named_not_misread(latin1_history):
    """dvc params diff and metrics diff reported the old values as absent (exit 0, a warning on
    stderr no one read); the revision's JSON was a UnicodeDecodeError traceback; DVC's
    exists() answered False for every file of that revision."""
    assert params_diff("HEAD") == {}  # the UTF-8 revision reads as before
    with pytest.raises(ChurnError, match=r"^params.yaml@HEAD~1: not UTF-8 text, so `dvc params"):
        params_diff("HEAD~1")
    with pytest.raises(ChurnError, match=r"@HEAD~1: not UTF-8 text, so `dvc metrics diff"):
        metrics_diff("HEAD~1")
    path = "metrics/evaluate/metrics.json"
    assert read_json_at(path, "HEAD")["test"]["roc_auc"] == 0.8
    with pytest.raises(ChurnError, match=rf"^{path} at HEAD~1: not UTF-8 text \(byte 0xfc\)"):
        read_json_at(path, "HEAD~1")
    assert exists_at_rev("models/model.json", "HEAD")
    with pytest.raises(ChurnError, match=r"^params.yaml@HEAD~1: not UTF-8 text, so DVC cannot"):
        exists_at_rev("models/model.json", "HEAD~1")
