"""CSV rows with too few or too many fields, as batch scoring reads them: in their place among
the rows, kept with their text (churn.malformed_rows)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from churn import batch_input
from churn.batch_input import read_chunks
from churn.batch_results import check_around
from churn.data_params import DataParams
from churn.malformed_rows import RAW_LINE, Malformed
from churn.scoring import Checked
from churn.tables import open_table

LINES = [
    "a,b,c",
    "1,2,3",
    "4,5",  # too few
    "   ",  # a blank line: skipped, no row
    '6,"7\n8",9',  # a line break in a quoted value: one row
    "1,2,3,4",  # too many
    "5,6,7",
    "8,9,10,11,12",  # too many, last
]


@pytest.mark.parametrize("block", [16, 1 << 20])  # tiny blocks: rows found in later blocks
def test_malformed_rows_are_kept_in_their_place_with_their_text(tmp_path, monkeypatch, block):
    monkeypatch.setattr(batch_input, "CSV_BLOCK_BYTES", block)
    (tmp_path / "in.csv").write_text("\n".join(LINES) + "\n")
    data = DataParams("churned", 1, "", "")
    with open_table(str(tmp_path / "in.csv")) as handle:
        chunks = read_chunks(handle, "in.csv", 3, data)
        frames, taken = [], {}
        for chunk in chunks.frames:
            offset = sum(map(len, frames))
            found = chunks.malformed.take(offset, len(chunk))
            taken |= {offset + at: row for at, row in found.items()}
            frames.append(chunk)
    rows = pd.concat(frames, ignore_index=True)
    assert rows["a"].tolist() == ["1", "4", "6", "1", "5", "8"]
    assert rows["c"].fillna("-").tolist() == ["3", "-", "9", "3", "7", "10"]  # as far as they go
    assert {at: (row.reason, row.text) for at, row in taken.items()} == {
        1: ("fields:2", "4,5"),
        3: ("fields:4", "1,2,3,4"),
        5: ("fields:5", "8,9,10,11,12"),
    }


def test_check_around_rejects_malformed_rows_in_their_place():
    """The other rows are checked without them; every row's place stays its own."""
    chunk = pd.DataFrame({"a": ["1", "x", "3", "y", "5"]})

    def check(read: pd.DataFrame, written: pd.DataFrame) -> Checked:
        failed = np.flatnonzero(read["a"] == "3")  # a contract's rejection
        valid = np.flatnonzero(read["a"] != "3")
        rejected = written.iloc[failed].assign(reject_reason="below_min:a").astype("string")
        return Checked(read.iloc[valid].reset_index(drop=True), rejected, positions=valid)

    malformed = {1: Malformed(1, 4, "x,,,"), 3: Malformed(3, 2, "y,")}
    checked = check_around(check, chunk, chunk, malformed)
    assert checked.positions.tolist() == [0, 4]
    assert checked.valid["a"].tolist() == ["1", "5"]
    assert checked.rejected["reject_reason"].tolist() == ["fields:4", "below_min:a", "fields:2"]
    assert checked.rejected[RAW_LINE].tolist() == ["x,,,", pd.NA, "y,"]
    assert checked.rejected["a"].tolist() == ["x", "3", "y"]
