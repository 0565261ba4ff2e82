"""Ingest core: typing of label, id and timestamp; files with different columns."""

import pandas as pd
import pytest

from churn.errors import ChurnError
from churn.ingest import ingest, label_to_int
from churn.params import DataParams
from churn.tables import list_table_files, read_table

DATA = DataParams(target="churned", positive_label=1, id="customer_id", timestamp="month")


def test_yes_no_labels_map_through_positive_label():
    labels = pd.Series(["Yes", "No", " Yes", "No"])
    assert label_to_int(labels, "Yes", "f.csv").tolist() == [1, 0, 1, 0]


def test_numeric_labels_match_whatever_the_reader_produced():
    assert label_to_int(pd.Series([1.0, 0.0]), 1, "f").tolist() == [1, 0]
    assert label_to_int(pd.Series(["1", "0"]), 1, "f").tolist() == [1, 0]


def test_bad_labels_are_reported_with_the_file():
    with pytest.raises(ChurnError, match="f.csv: label column has more than two values"):
        label_to_int(pd.Series(["Yes", "No", "Maybe"]), "Yes", "f.csv")
    with pytest.raises(ChurnError, match="'Y' .* never occurs"):
        label_to_int(pd.Series(["Yes", "No"]), "Y", "f.csv")
    with pytest.raises(ChurnError, match="1 missing"):
        label_to_int(pd.Series(["Yes", None]), "Yes", "f.csv")


def test_tables_with_a_late_column_are_stacked_and_sorted():
    early = pd.DataFrame(
        {"customer_id": ["b", "a"], "month": ["2026-01-01"] * 2, "churned": [0, 1]}
    )
    late = early.assign(month="2026-02-01", video=[3.0, 4.0])
    table = ingest([late, early], DATA, "src")
    assert list(table["customer_id"]) == ["a", "b", "a", "b"]
    assert table["video"].isna().tolist() == [True, True, False, False]
    assert str(table["month"].dtype) == "datetime64[ns]"
    assert table["churned"].dtype == "int8"


def test_missing_role_column_is_named():
    frame = pd.DataFrame({"customer_id": ["a"], "month": ["2026-01-01"]})
    with pytest.raises(ChurnError, match=r"column 'churned' \(data.target\) not found"):
        ingest([frame], DATA, "src")


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
