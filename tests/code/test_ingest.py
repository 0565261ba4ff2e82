"""Ingest core: files with different columns or types stacked without loss; clean read errors."""

import pandas as pd
import pytest

from churn.errors import ChurnError
from churn.ingest import ingest
from churn.tables import list_table_files, read_table


def test_tables_with_a_late_column_are_stacked_as_they_are():
    early = pd.DataFrame(
        {"customer_id": ["b", "a"], "month": ["2026-01-01"] * 2, "churned": [0, 1]}
    )
    late = early.assign(month="2026-02-01", video=[3.0, 4.0])
    table = ingest([early, late])
    assert list(table["customer_id"]) == ["b", "a", "b", "a"]
    assert table["video"].isna().tolist() == [True, True, False, False]


def test_columns_mixing_numbers_and_text_become_text_so_nothing_is_lost():
    numbers = pd.DataFrame({"churned": [0, 1], "spend": [1.5, 2.0]})
    text = pd.DataFrame({"churned": ["Yes", "No"], "spend": ["1,234", ""]})
    table = ingest([numbers, text])
    assert table["churned"].tolist() == ["0", "1", "Yes", "No"]
    assert table["spend"].tolist() == ["1.5", "2.0", "1,234", ""]


def test_source_listing_accepts_file_folder_and_glob(tmp_path):
    for name in ("b.csv", "a.parquet", "notes.txt"):
        (tmp_path / name).write_text("x")
    assert [p.rsplit("/", 1)[-1] for p in list_table_files(str(tmp_path))] == ["a.parquet", "b.csv"]
    assert len(list_table_files(str(tmp_path / "*.csv"))) == 1
    with pytest.raises(ChurnError, match="no such file or folder"):
        list_table_files(str(tmp_path / "absent"))


def test_unreadable_files_name_the_file(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(ChurnError, match="empty.csv: file is empty"):
        read_table(str(empty))
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"PAR1 not really")
    with pytest.raises(ChurnError, match="broken.parquet: cannot be parsed"):
        read_table(str(broken))


@pytest.mark.parametrize("suffix", [".csv.gz", ".csv.bz2", ".csv.xz"])
def test_compressed_csv_is_listed_and_read_like_plain_csv(tmp_path, suffix):
    frame = pd.DataFrame({"customer_id": ["a", "b"], "spend": [1.5, None], "churned": [0, 1]})
    frame.to_csv(tmp_path / "plain.csv", index=False)
    frame.to_csv(tmp_path / f"packed{suffix}", index=False)  # pandas compresses by the suffix
    listed = [p.rsplit("/", 1)[-1] for p in list_table_files(str(tmp_path))]
    assert listed == [f"packed{suffix}", "plain.csv"]
    packed = read_table(str(tmp_path / f"packed{suffix}"))
    pd.testing.assert_frame_equal(packed, read_table(str(tmp_path / "plain.csv")))


def test_a_broken_compressed_csv_names_the_file(tmp_path):
    (tmp_path / "broken.csv.gz").write_bytes(b"not gzip at all")
    with pytest.raises(ChurnError, match="broken.csv.gz: cannot be parsed"):
        read_table(str(tmp_path / "broken.csv.gz"))
