"""Session-wide settings shared by every test directory."""

from __future__ import annotations

import os

import pytest

from tests.s3_server import (  # noqa: F401  (fixtures for every test directory)
    checking_s3_endpoint,
    s3_endpoint,
)


def pytest_configure(config: pytest.Config) -> None:
    """Let idle OpenMP threads sleep: two test workers share two cores with XGBoost's threads."""
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def expected_cost(item: pytest.Item) -> int:
    """0 for the slowest kind of test, 2 for the quick ones."""
    if item.get_closest_marker("slow"):
        return 0
    return 1 if item.get_closest_marker("pipeline") else 2


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Longest tests first, so parallel workers (`make test`) do not end on one long straggler."""
    items.sort(key=expected_cost)
