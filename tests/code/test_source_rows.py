"""validate's --sources (ingest's list of source files): a list naming a file twice is refused
saying so; it said "lists 3 rows, the table has 3", which contradicts itself."""

from __future__ import annotations

import json

import pytest

from churn.errors import ChurnError
from churn.source_rows import read_sources


def test_a_file_listed_twice_is_named(tmp_path):
    listing = tmp_path / "sources.json"
    files = [{"path": "raw/m1.csv", "rows": 2}, {"path": "raw/m1.csv", "rows": 1}]
    listing.write_text(json.dumps({"files": files}))
    with pytest.raises(ChurnError) as error:
        read_sources(listing, 3)
    assert str(error.value) == (
        f"{listing}: lists 'raw/m1.csv' twice: not the list ingest wrote with it (run ingest again)"
    )


def test_a_count_that_differs_is_named(tmp_path):
    listing = tmp_path / "sources.json"
    listing.write_text(json.dumps({"files": [{"path": "raw/m1.csv", "rows": 2}]}))
    with pytest.raises(ChurnError, match="lists 2 rows, the table has 3"):
        read_sources(listing, 3)
