"""Each stage in dvc.yaml declares exactly the src/ modules its command imports, and the
package's __init__.py, which every import of a churn module runs."""

from __future__ import annotations

import ast
import re

import pytest
import yaml

from tests.helpers import REPO

PACKAGE = REPO / "src" / "churn"
STAGES = yaml.safe_load((REPO / "dvc.yaml").read_text())["stages"]


def churn_imports(module: str) -> set[str]:
    """The churn modules one module imports (anywhere in the file, lazily or not)."""
    tree = ast.parse((PACKAGE / f"{module}.py").read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "churn":
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("churn."):
            found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[1] for a in node.names if a.name.startswith("churn.")}
    return found


def closure(module: str) -> set[str]:
    """The module and every churn module it imports, directly or not."""
    seen, todo = set(), [module]
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.add(current)
            todo += sorted(churn_imports(current))
    return seen


@pytest.mark.parametrize("name", sorted(STAGES))
def test_stage_declares_the_modules_its_command_imports(name):
    stage = STAGES[name]
    module = re.search(r"python -m churn\.(\w+)", stage["cmd"]).group(1)
    declared = {dep for dep in stage["deps"] if dep.startswith("src/")}
    expected = {f"src/churn/{m}.py" for m in closure(module) | {"__init__"}}  # the package
    assert declared == expected, (
        f"{name}: missing {sorted(expected - declared)}, extra {sorted(declared - expected)}"
    )
