"""The scoring artifacts read at a git revision (churn.predict --rev): files that are not what
they should be there are one line naming the file and the revision."""

from __future__ import annotations

import pytest

from churn import artifacts
from churn.errors import ChurnError

PARAMS_AT_REV = {
    "requirements.txt": (b"pandas==2.2.3\n", "expected a mapping of sections"),
    "README.md": (b"# t\n\nrun: `a: b`: c\n", "not valid YAML (ScannerError at line 3"),
    "latin1.yaml": (b"evaluate: {threshold: 0.5} # Gr\xfc\xdfe\n", "not UTF-8 text (byte 0xfc)"),
}


@pytest.mark.parametrize("name", PARAMS_AT_REV)
def test_params_at_a_revision_that_are_no_params_are_one_line(monkeypatch, name):
    """--rev v1.0 --params requirements.txt was AttributeError: 'str' object has no attribute
    'get', a file that is not YAML a yaml ScannerError traceback."""
    text, problem = PARAMS_AT_REV[name]
    monkeypatch.setattr(artifacts, "resolve_rev", lambda rev: "0123456789")
    monkeypatch.setattr(artifacts, "read_at_rev", lambda path, rev: text)
    with pytest.raises(ChurnError) as refused:
        artifacts.load_revision("models/model.json", "models/features.json", "v1.0", name)
    assert str(refused.value).startswith(f"{name}@v1.0: {problem}")
