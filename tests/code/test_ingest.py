"""Ingest core: files with different columns or types stacked without loss; clean read errors;
CSV delimiters sniffed and decimal commas read as numbers."""

import gzip
import re

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from churn.batch_input import decimal_points, read_chunks
from churn.coercion import coerce
from churn.column_checks import check_feature
from churn.contract import main as contract_main
from churn.contract_columns import check_new_column
from churn.contract_spec import ColumnContract, Contract
from churn.csv_header import SettingNames, sniff_delimiter
from churn.data_params import DataParams, Policies
from churn.decimal_commas import decimal_commas_to_points
from churn.drift_inputs import read_frame
from churn.errors import ChurnError
from churn.ingest import check_table, files_in, ingest, partial_columns, partial_note
from churn.ingest import main as ingest_main
from churn.params import load_section
from churn.table_sources import list_table_files
from churn.tables import open_table, read_table
from tests.helpers import REPO


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
    assert table["spend"].tolist() == ["1.5", "2", "1,234", ""]


def test_numbers_stacked_with_text_are_spelt_as_batch_scoring_spells_them():
    """A code column a Parquet month holds as float64 (an int column with a gap) stacked with a
    CSV month's text codes became '101.0' beside the CSV's '101': two levels for one code in
    training, and batch scoring, which reads the same Parquet file's 101.0 as '101', found
    '102' unknown."""
    parquet = pd.DataFrame({"plan": [101.0, 102.0, None], "flag": [True, False, None]})
    csv = pd.DataFrame({"plan": ["101", "A12", "B7"], "flag": ["1", "yes", None]})
    table = ingest([csv, parquet.astype({"flag": object})]).fillna("-")
    assert table["plan"].tolist() == ["101", "A12", "B7", "101", "102", "-"]
    scored = coerce(parquet["plan"], "categorical").values.fillna("-")  # batch scoring's reading
    assert table["plan"].tolist()[3:] == scored.tolist()
    assert table["flag"].tolist() == ["1", "yes", "-", "1", "0", "-"]


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


@pytest.mark.parametrize(
    ("header", "delimiter"),
    [
        ("customer_id,tenure,country", ","),
        ("customer_id;tenure;country\r\n", ";"),
        ("customer_id\ttenure\tcountry", "\t"),
        ("customer_id|tenure|country", "|"),
        ('"id; with semicolon",tenure,country', ","),  # quoted names do not count
        ("customer_id", ","),  # one column: nothing to sniff
    ],
)
def test_the_delimiter_is_sniffed_from_the_header_line(header, delimiter):
    assert sniff_delimiter(header) == delimiter


@pytest.mark.parametrize("before", ["\n", " \t\r\n\r\n", "\r", "\ufeff\r\n"])
def test_blank_lines_before_the_header_are_skipped_and_the_delimiter_sniffed_after_them(
    tmp_path, before
):
    """The delimiter was sniffed from a blank first line (',' found), so a ';' file read as one
    column; pandas skips blank lines before the header, and so does every CSV reader here."""
    (tmp_path / "in.csv").write_text(f"{before}customer_id;spend\n007;1.5\n\n  \nb;2\n")
    frame = read_table(str(tmp_path / "in.csv"), keep_as_text=["customer_id"])
    assert frame.to_dict("list") == {"customer_id": ["007", "b"], "spend": [1.5, 2.0]}
    (tmp_path / "blank.csv").write_text(before + "\r\n \t\n")
    with pytest.raises(ChurnError, match=r"blank.csv: blank lines only, no header line$"):
        read_table(str(tmp_path / "blank.csv"))


EUROPEAN = 'customer_id;spend;score;note\na;1.234,5;0,25;"x,y"\nb;12;;3,5 kg\n'


def test_a_european_csv_reads_like_the_plain_one(tmp_path):
    """; as delimiter, decimal commas, '.' between thousands: the numbers come out as numbers."""
    (tmp_path / "eu.csv").write_text(EUROPEAN)
    (tmp_path / "plain.csv").write_text(
        'customer_id,spend,score,note\na,1234.5,0.25,"x,y"\nb,12,,3,5 kg\n'.replace(
            "3,5 kg", '"3,5 kg"'
        )
    )
    european = read_table(str(tmp_path / "eu.csv"), delimiter="auto", decimal=",")
    pd.testing.assert_frame_equal(european, read_table(str(tmp_path / "plain.csv")))


def test_decimal_commas_in_a_mixed_text_column_become_plain_number_text():
    column = pd.Series(["1.234,5", "12,5", "unknown", None, "7", "a,b", " -0,5 "], dtype=object)
    expected = ["1234.5", "12.5", "unknown", None, "7", "a,b", "-0.5"]
    assert decimal_commas_to_points(column).tolist() == expected
    numbers = pd.Series([1.5, 2.0])
    assert decimal_commas_to_points(numbers) is numbers  # typed columns are left alone


def test_without_the_decimal_setting_a_european_file_is_refused_with_a_hint(tmp_path):
    contract = Contract([ColumnContract("score", "feature", "numeric")])
    (tmp_path / "eu.csv").write_text(EUROPEAN)
    frame = read_table(str(tmp_path / "eu.csv"))  # delimiter sniffed, decimal "."
    with pytest.raises(ChurnError, match=r"e\.g\. '0,25'; decimal commas\? set data\.decimal"):
        check_feature(frame["score"], contract.columns[0], Policies(), "eu.csv", False)


def test_an_explicit_delimiter_that_does_not_fit_is_refused_by_ingest(tmp_path):
    (tmp_path / "eu.csv").write_text(EUROPEAN)
    frame = read_table(str(tmp_path / "eu.csv"), delimiter=",")
    with pytest.raises(ChurnError, match=r"eu.csv: one column only; wrong delimiter\?") as refused:
        check_table(frame, "eu.csv", ",")
    assert str(refused.value).endswith(
        "read with data.delimiter: ','; try data.delimiter: ';' or data.delimiter: auto)"
    )


@pytest.mark.parametrize(("separator", "shown"), [(":", "':'"), (" ", "' '")])
def test_a_file_separated_by_a_character_no_reader_splits_on_is_named_so(
    tmp_path, separator, shown
):
    """A ':'- or space-separated export was read as one column, and the run stopped later on
    'column tenure_months of the contract is missing', which hid the cause."""
    names, values = (separator * 5).join("abcdef"), (separator * 5).join("123456")
    (tmp_path / "x.csv").write_text(f"{names}\n{values}\n".replace(separator * 5, separator))
    frame = read_table(str(tmp_path / "x.csv"))
    expected = f"x.csv: one column only; {shown} seems to separate its header"
    with pytest.raises(ChurnError, match=re.escape(expected)):
        check_table(frame, "x.csv", "auto")
    for name in ("monthly charges", "Monthly Charges (EUR)", "revenue/month/EUR"):  # one column
        (tmp_path / "y.csv").write_text(f"{name}\n1\n")
        check_table(read_table(str(tmp_path / "y.csv")), "y.csv", "auto")


@pytest.mark.parametrize(
    ("names", "hint"),
    [
        (SettingNames("--delimiter"), "--delimiter ';'; try --delimiter ',' or --delimiter auto)"),
        (SettingNames(), "read with data.delimiter: ';'; try data.delimiter: ',' or "),
        # churn.predict without --delimiter: params set it, the flag sets it for one file
        (SettingNames(flags=True), "data.delimiter: ';'; try --delimiter ',' or --delimiter auto)"),
    ],
)
def test_a_delimiter_that_does_not_fit_is_named_as_it_was_set(tmp_path, names, hint):
    """The hint said `data.delimiter: auto sniffs it` after `--delimiter ';'` on the command
    line: it names the option that set the delimiter, and the one the header seems to use."""
    pd.DataFrame({"customer_id": ["a"], "spend": [1.5]}).to_csv(tmp_path / "c.csv", index=False)
    data = DataParams("churned", 1, "customer_id", "", delimiter=";")
    refusal = pytest.raises(ChurnError, match=re.escape(hint))
    with open_table(str(tmp_path / "c.csv")) as handle, refusal as refused:
        next(read_chunks(handle, "c.csv", 10, data, names)[1])
    assert "sniffs" not in str(refused.value)


@pytest.mark.parametrize(
    ("names", "hint"),
    [
        (SettingNames(decimal="--decimal"), "(--decimal ','); set --decimal '.' for this file"),
        (SettingNames(), "(data.decimal: ','); set data.decimal: '.' for this file"),
        (SettingNames(flags=True), "(data.decimal: ','); set --decimal '.' for this file"),
    ],
)
def test_a_decimal_mark_that_does_not_fit_is_named_as_it_was_set(tmp_path, names, hint):
    """`churn.predict --decimal ,` on a comma-delimited file said `set data.decimal: '.'`."""
    pd.DataFrame({"customer_id": ["a"], "spend": [1.5]}).to_csv(tmp_path / "c.csv", index=False)
    data = DataParams("churned", 1, "customer_id", "", decimal=",")
    refusal = pytest.raises(ChurnError, match=re.escape(f"decimal commas {hint}"))
    with open_table(str(tmp_path / "c.csv")) as handle, refusal:
        next(read_chunks(handle, "c.csv", 10, data, names)[1])


def test_a_header_quoted_whole_is_refused_without_blaming_the_sniffer(tmp_path):
    (tmp_path / "q.csv").write_text('"customer_id,spend"\n"a,1.5"\n')
    frame = read_table(str(tmp_path / "q.csv"))
    with pytest.raises(ChurnError, match=r"auto found none outside double quotes: is the header"):
        check_table(frame, "q.csv", "auto")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"delimiter": ":"}, "data.delimiter must be auto , ; tab or |, got ':'"),
        ({"decimal": "'"}, "data.decimal must be '.' or ','"),
        ({"decimal": ",", "delimiter": ","}, "data.decimal ',' needs another data.delimiter"),
    ],
)
def test_csv_format_settings_are_checked(changes, message):
    with pytest.raises(ChurnError, match=re.escape(message)):
        DataParams("churned", 1, "customer_id", "month", **changes)


def test_ids_and_text_columns_are_read_verbatim_whatever_the_decimal_mark(tmp_path):
    """Ids keep leading zeros and dots; only columns that hold numbers get decimal commas read."""
    (tmp_path / "eu.csv").write_text(
        "customer_id;spend;note\n00123;1.234,5;3,5 kg\n10.001;12;x\n4711,1;;ab\n"
    )
    for decimal in (".", ","):
        frame = read_table(str(tmp_path / "eu.csv"), decimal=decimal, keep_as_text=["customer_id"])
        assert frame["customer_id"].tolist() == ["00123", "10.001", "4711,1"]
        assert frame["note"].tolist() == ["3,5 kg", "x", "ab"]
    assert frame["spend"].tolist()[:2] == [1234.5, 12.0]


@pytest.mark.parametrize(
    ("encoding", "message"),
    [("utf-16", "UTF-16 text"), ("latin-1", r"not UTF-8 text \(byte 0xfc\)")],
)
def test_csv_in_another_encoding_is_refused_naming_it(tmp_path, encoding, message):
    (tmp_path / "export.csv").write_text("customer_id;city\na;München\n", encoding=encoding)
    with pytest.raises(ChurnError, match=rf"export.csv: {message}; save it as UTF-8"):
        read_table(str(tmp_path / "export.csv"))


def test_decimal_commas_read_strictly_and_as_batch_scoring_reads_them(tmp_path):
    """pandas' thousands="." read 82.97 as 8297 and 24.5 as 245, silently. Only strict
    decimal-comma numbers become numbers; other values stay as written, and the contract then
    reads them as churn.predict does."""
    (tmp_path / "eu.csv").write_text(
        "customer_id;spend;fee;tenure\na;82,97;24,5;1\nb;82.97;1.234,5;2\nc;1.234,5;-0,5;\n"
        "d;24.5;3;4\n"
    )
    frame = read_table(str(tmp_path / "eu.csv"), decimal=",", keep_as_text=["customer_id"])
    assert frame["spend"].tolist() == ["82.97", "82.97", "1234.5", "24.5"]  # kept as written
    assert frame["fee"].tolist() == [24.5, 1234.5, -0.5, 3.0]
    assert frame["tenure"].dtype == "float64"
    data, numbers = (
        DataParams("churned", 1, "customer_id", "", decimal=","),
        ["spend", "fee", "tenure"],
    )
    with open_table(str(tmp_path / "eu.csv")) as handle:
        chunk = decimal_points(next(read_chunks(handle, "eu.csv", 10, data)[1]), data, numbers)
    for name in ("spend", "fee", "tenure"):
        scored, ingested = coerce(chunk[name], "numeric"), coerce(frame[name], "numeric")
        pd.testing.assert_series_equal(ingested.values, scored.values, check_names=False)


def test_a_leading_zero_is_never_a_thousands_group_and_one_column_files_keep_their_commas(
    tmp_path,
):
    """0.500 is not five hundred (the pattern took "0" as a thousands group); a one-column file
    has no delimiter to sniff, and splitting it at "," cut 1,5 into an index and a 5."""
    (tmp_path / "mixed.csv").write_text("customer_id;share\na;0.500\nb;2,5\nc;-0.250\n")
    frame = read_table(str(tmp_path / "mixed.csv"), decimal=",", keep_as_text=["customer_id"])
    assert frame["share"].tolist() == ["0.500", "2.5", "-0.250"]  # the contract reads 0.5
    assert decimal_commas_to_points(pd.Series(["0.500", "1.234,5"])).tolist() == ["0.500", "1234.5"]
    (tmp_path / "one.csv").write_text("avg_order_value\n1,5\n2,25\n")
    assert read_table(str(tmp_path / "one.csv"), decimal=",")["avg_order_value"].tolist() == [
        1.5,
        2.25,
    ]


def test_decimal_commas_in_a_comma_delimited_file_are_refused(tmp_path):
    (tmp_path / "us.csv").write_text("customer_id,spend\na,82.97\n")
    with pytest.raises(ChurnError, match=r"^\S*us.csv: comma-delimited, so its numbers cannot"):
        read_table(str(tmp_path / "us.csv"), decimal=",")
    (tmp_path / "one.csv").write_text('"id,x"\n"a,1"\n')  # one column: no delimiter to find
    assert read_table(str(tmp_path / "one.csv"), decimal=",").shape == (1, 1)


def test_a_glob_matching_nothing_is_named_in_one_line(tmp_path):
    source = str(tmp_path / "nomatch*.csv")
    with pytest.raises(ChurnError, match=r"nomatch\*\.csv: no CSV or Parquet files match"):
        ingest_main(["--source", source, "--out", str(tmp_path / "x.parquet")])
    with pytest.raises(ChurnError, match="no CSV or Parquet files match"):
        contract_main(["infer", source])


def test_ingest_files_picks_the_files_in_the_source_folder(tmp_path, capsys):
    """ingest.files: a glob within ingest.source, so the folder can be the stage's DVC
    dependency (DVC cannot hash a glob) while only the matching exports are read."""
    exports = tmp_path / "exports"
    (exports / "2026").mkdir(parents=True)
    pd.DataFrame({"customer_id": ["a"], "x": [1]}).to_csv(exports / "2026/jan.csv", index=False)
    pd.DataFrame({"customer_id": ["b"], "x": [2]}).to_csv(exports / "feb.csv", index=False)
    (exports / "backup.parquet").write_text("not a table: must not be read")
    out = tmp_path / "c.parquet"
    ingest_main(["--source", f"{exports}/", "--files", "**/*.csv", "--out", str(out)])
    assert sorted(pd.read_parquet(out)["customer_id"]) == ["a", "b"]
    ingest_main(["--source", str(exports), "--files", "2026/*.csv", "--out", str(out)])
    assert pd.read_parquet(out)["customer_id"].tolist() == ["a"]
    assert "from 1 file(s)" in capsys.readouterr().out
    assert files_in("s3://bucket/exports/", " *.csv ") == "s3://bucket/exports/*.csv"
    assert files_in("data/raw", "") == "data/raw"
    with pytest.raises(ChurnError, match=r"exports/\*\.txt: no CSV or Parquet files match"):
        ingest_main(["--source", str(exports), "--files", "*.txt", "--out", str(out)])
    for outside in ("../*.csv", "/etc/*.csv", "s3://other/*.csv"):
        with pytest.raises(ChurnError, match=r"^--files \(ingest.files\) '.*': should be a glob"):
            files_in(str(exports), outside)


@pytest.mark.parametrize("files", ["*/*.parquet", "**/*.parquet"])
def test_ingest_files_leaves_out_a_hidden_folders_copies(tmp_path, capsys, files):
    """A notebook's checkpoint copy below the source was read by a glob: its rows came twice."""
    for month in ("2026-01", "2026-02", ".ipynb_checkpoints"):
        (tmp_path / month).mkdir()
        pd.DataFrame({"customer_id": [month[:7]]}).to_parquet(tmp_path / month / "a.parquet")
    out = tmp_path / "c.parquet"
    ingest_main(["--source", str(tmp_path), "--files", files, "--out", str(out)])
    assert pd.read_parquet(out)["customer_id"].tolist() == ["2026-01", "2026-02"]
    assert "skipped 1 file(s) in hidden folders" in capsys.readouterr().err


def test_a_column_named_twice_is_refused_as_batch_scoring_refuses_it(tmp_path):
    """pandas would rename the second one 'tenure.1'."""
    (tmp_path / "twice.csv").write_text("customer_id;tenure;;tenure;\na;1;;2;\n")
    for decimal in (".", ","):
        with pytest.raises(ChurnError, match="twice.csv: column 'tenure' appears more than once"):
            read_table(str(tmp_path / "twice.csv"), decimal=decimal)
    table = pa.table([pa.array([1]), pa.array([2])], names=["tenure", "tenure"])
    pq.write_table(table, tmp_path / "twice.parquet")
    with pytest.raises(ChurnError, match="twice.parquet: column 'tenure' appears more than once"):
        read_table(str(tmp_path / "twice.parquet"))


def test_files_that_are_not_tables_are_named_when_skipped(tmp_path, capsys):
    for name in ("a.csv", "b.txt", "c.json", "d.md", "e.xlsx"):
        (tmp_path / name).write_text("x")
    assert len(list_table_files(str(tmp_path))) == 1
    assert capsys.readouterr().err == (
        f"{tmp_path}: skipped 4 file(s) that are not CSV or Parquet: b.txt, c.json, d.md, ... "
        "(4 in all)\n"
    )
    list_table_files(str(tmp_path / "a.csv"))
    assert capsys.readouterr().err == ""


def test_columns_not_in_every_file_are_named_with_how_many_files_have_them():
    early = pd.DataFrame({"a": [1], "b": [2]})
    late = pd.DataFrame({"a": [3], "b": [4], "video": [5.0]})
    only_first = pd.DataFrame({"a": [6]})
    partial = partial_columns([early, late, only_first])
    assert partial == {"b": 2, "video": 1}
    assert partial_note(partial, ["x", "y", "z"]) == (
        "ingest: column(s) not in every one of the 3 files, missing in the others' rows "
        "(files that have it): 'b' (2), 'video' (1)"
    )
    assert partial_columns([early, early]) == {} and partial_note({}, ["x"]) == ""


def test_columns_written_as_the_pandas_index_are_read_as_columns(tmp_path):
    """pandas writes a frame's index into the Parquet file and reads it back as the index: the
    id (or a feature) a user had set as the index used to be dropped by ingest."""
    rows = pd.DataFrame({"customer_id": ["C1", "C2", "C3"], "month": ["2026-01"] * 3,
                         "tenure": [1, 2, 3], "churned": [0, 1, 0]})  # fmt: skip
    rows.set_index(["customer_id", "month"]).to_parquet(tmp_path / "indexed.parquet")
    rows[rows["tenure"] > 1].to_parquet(tmp_path / "filtered.parquet")  # a stored, unnamed index
    ingest_main(["--source", str(tmp_path / "*.parquet"), "--out", str(tmp_path / "out.pq")])
    read = pd.read_parquet(tmp_path / "out.pq")
    assert sorted(read.columns) == sorted(rows.columns)
    assert read["customer_id"].tolist() == ["C2", "C3", "C1", "C2", "C3"]


def test_a_parquet_index_named_as_a_column_is_refused_in_one_line(tmp_path):
    """pandas saves an index named like a column ('tenure'); reading it back as a column
    raised reset_index's ValueError, a traceback."""
    rows = pd.DataFrame({"customer_id": ["C1", "C2"], "tenure": [1, 2], "churned": [0, 1]})
    rows.set_index(pd.Index([7, 8], name="tenure")).to_parquet(tmp_path / "t.parquet")
    expected = f"{tmp_path / 't.parquet'}: column 'tenure' is also the name of the index"
    with pytest.raises(ChurnError, match=re.escape(expected)):
        read_table(str(tmp_path / "t.parquet"))


@pytest.mark.parametrize("decimal", [".", ","])
def test_a_csv_row_index_under_a_blank_header_is_left_out_and_named(tmp_path, capsys, decimal):
    """pandas' to_csv writes the row index under a blank header by default; ingest read it as a
    feature ('Unnamed: 0') and the model trained on row numbers, silently."""
    rows = pd.DataFrame({"customer_id": ["C1", "C2"], "tenure": [1, 2], "churned": [0, 1]})
    rows.to_csv(tmp_path / "a.csv", sep=";")  # row index, header ";customer_id;..."
    (tmp_path / "b.csv").write_text("customer_id;tenure;churned;\nC3;3;1;\n")  # trailing ;
    rows.to_csv(tmp_path / "c.csv", sep=";", index=False)
    params = tmp_path / "params.yaml"
    data = yaml.safe_load((REPO / "params.yaml").read_text())["data"]
    params.write_text(yaml.safe_dump({"data": {**data, "timestamp": "", "decimal": decimal}}))
    out = tmp_path / "out.parquet"
    ingest_main(["--source", str(tmp_path / "*.csv"), "--out", str(out), "--params", str(params)])
    assert list(pd.read_parquet(out).columns) == list(rows.columns)
    assert capsys.readouterr().err.splitlines() == [
        "ingest: left out column(s) with a blank header (a row index, not data): 'Unnamed: 0', "
        "'Unnamed: 3' in 2 of 3 file(s): a.csv, b.csv"
    ]
    assert list(read_table(str(tmp_path / "a.csv"))) == list(rows)  # as contract infer reads it


def test_a_column_named_unnamed_is_kept_as_data_with_a_warning(tmp_path, capsys):
    """A name is data: 'Unnamed: 0' written by a reader (a CSV read and saved again) is kept, as a
    Parquet column named so is, and named on stderr; a blank Parquet column name is left out."""
    rows = pd.DataFrame({"customer_id": ["C1", "C2"], "tenure": [1, 2], "churned": [0, 1]})
    rows.assign(**{"Unnamed: 0": [0, 1]}).to_parquet(tmp_path / "a.parquet")
    rows.assign(**{"": [0, 1]}).to_parquet(tmp_path / "b.parquet")
    out = tmp_path / "out.parquet"
    ingest_main(["--source", str(tmp_path / "*.parquet"), "--out", str(out)])
    assert list(pd.read_parquet(out).columns) == [*rows.columns, "Unnamed: 0"]
    assert capsys.readouterr().err.splitlines() == [
        "ingest: left out column(s) with a blank header (a row index, not data): '' in 1 of 2 "
        "file(s): b.parquet",
        "ingest: column(s) 'Unnamed: 0' kept as data, though named as pandas names a blank "
        "header: a row index saved again? remove it from the export if it holds row numbers",
    ]


@pytest.mark.parametrize("decimal", [".", ","])
def test_each_value_is_read_alone_whatever_its_neighbours(decimal):
    """A value's reading depended on the other values of its chunk (1,250 beside 12,5 was no
    1250; 1.500 beside 0.125 was 1.5): scores changed with --chunk-size, and ingest (per file)
    and batch scoring (per chunk) could read one value two ways. Each value is read alone."""
    values = ["1,250", "12,5", "0,75", "1.500", "0.125", "82.97", "1.234,5", "0,125"]
    whole = read_numbers(values, decimal)
    assert [read_numbers([value], decimal)[0] for value in values] == whole


def read_numbers(values: list[str], decimal: str) -> list:
    """values as the contract reads a number column, after data.decimal's conversion."""
    column = pd.Series(values, dtype=object)
    text = decimal_commas_to_points(column) if decimal == "," else column
    numbers = coerce(text, "numeric").values
    return numbers.astype(object).where(numbers.notna(), None).tolist()


@pytest.mark.parametrize(
    ("values", "read", "thousands"),
    [
        (["0,125", "0,250"], [None, None], 0),  # no grouping starts with 0
        (["1,250", "12,5", "0,75"], [1250.0, None, None], 1),  # each value read alone
        (["1,250", "2,500"], [1250.0, 2500.0], 2),  # ambiguous alone: read as groupings
    ],
)
def test_a_comma_is_a_thousands_separator_only_where_it_can_be_one(values, read, thousands):
    result = coerce(pd.Series(values, dtype=object), "numeric")
    assert result.values.astype(object).where(result.values.notna(), None).tolist() == read
    assert int(result.thousands.sum()) == thousands


@pytest.mark.parametrize(
    ("names", "hint"),
    [
        (SettingNames(), "set data.decimal: ','"),
        (SettingNames(flags=True), "set --decimal ','"),  # churn.predict: --decimal not given
        (SettingNames(decimal="--decimal", flags=True), "set --decimal ','"),  # given as '.'
    ],
)
def test_the_decimal_comma_hint_names_the_setting_that_sets_the_decimal_mark(names, hint):
    """Scoring with `--decimal .` (or without it, where the flag is what sets it for one file),
    the hint said `set data.decimal: ','`, a params key: in a contract column and in a column
    outside the contract that the model reads (contract.new_column: include)."""
    raw = pd.Series(["101,08", "12,5", "7,0"], dtype=object)
    column = ColumnContract("spend", "feature", "numeric")
    with pytest.raises(ChurnError, match=re.escape(f"e.g. '101,08'; decimal commas? {hint};")):
        check_feature(raw, column, Policies(), "eu.csv", True, 20, names)
    with pytest.raises(ChurnError, match=re.escape(f"decimal commas? {hint})")):
        check_new_column(raw, "spend", where="eu.csv", names=names)


def test_decimal_commas_under_a_leading_zero_stop_the_run_with_the_hint():
    """0,125;0,250 in a ';' file read with data.decimal '.' became 125 and 250, silently."""
    column = ColumnContract("share", "feature", "numeric")
    raw = pd.Series(["0,125", "0,250", "0,5"], dtype=object)
    with pytest.raises(ChurnError, match=r"e\.g\. '0,125'; decimal commas\? set data\.decimal"):
        check_feature(raw, column, Policies(), "eu.csv", True, retype_min=20)


@pytest.mark.parametrize(
    "text",
    [
        "id,plan,spend\nC1,plus, annual,10\nC2,free,5\n",  # an unquoted comma in the first row
        "plan,spend\nC1,plus,10\nC2,free,5\n",  # a header missing a name
        "id,plan,spend\nC1,plus,10,\nC2,free,5,\n",  # lines ending in the delimiter
    ],
    ids=["unquoted-comma", "header-short-of-a-name", "trailing-delimiters"],
)
def test_data_lines_wider_than_the_header_are_refused_not_shifted(tmp_path, text):
    """pandas makes the extra first fields a row index and shifts every column one place left:
    ingest exited 0 with customer ids in the 'gender' column."""
    (tmp_path / "t.csv").write_text(text)
    with pytest.raises(ChurnError, match=r"t\.csv: data lines hold more fields than the header"):
        read_table(str(tmp_path / "t.csv"))


@pytest.mark.parametrize("first", ["sep=;", "SEP=,", "sep=\t"])
def test_a_spreadsheet_delimiter_line_is_refused_by_ingest_and_scoring(tmp_path, first):
    """Excel's "sep=;" first line was read as a one-column header holding the whole file."""
    path = tmp_path / "t.csv"
    path.write_text(f"{first}\nid;plan;spend\nC1;plus;10\n")
    with pytest.raises(ChurnError, match=r"t\.csv: the first line .* delimiter line, not a header"):
        read_table(str(path))
    with open_table(str(path)) as handle, pytest.raises(ChurnError, match="delimiter line"):
        next(read_chunks(handle, str(path), 100, DataParams("churned", 1, "id", ""))[1])


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_a_csv_file_cut_short_in_its_last_line_is_refused_not_padded(tmp_path, delimiter):
    """A copy or export cut off mid-line: pandas padded the last row with missing values, ingest
    exited 0 and the rows lost after it went unnoticed (batch scoring refused the same file)."""
    path = tmp_path / ("t.tsv" if delimiter == "\t" else "t.csv")
    rows = ["id,plan,spend,churned", "C1,plus,10,0", "C2,free,5,1", "C3,fr"]
    path.write_text("\n".join(row.replace(",", delimiter) for row in rows))
    with pytest.raises(ChurnError, match=r"t\.[ct]sv: the last line holds 2 of the header's 4 "):
        read_table(str(path))


def test_a_csv_file_without_a_final_line_end_is_read_whole(tmp_path):
    """Many exporters leave out the last line end: a complete last line is a row like any."""
    path = tmp_path / "t.csv"
    path.write_text('id,plan,spend\nC1,plus,10\nC2,"free, trial",')
    frame = read_table(str(path))
    assert frame["id"].tolist() == ["C1", "C2"] and frame["plan"].tolist()[1] == "free, trial"


@pytest.mark.parametrize(("last", "cut"), [("C2,free,5", False), ("C2,fr", True)])
def test_a_file_with_old_mac_line_ends_and_no_final_one_is_judged_not_a_traceback(
    tmp_path, last, cut
):
    """Lines ended by '\r' alone: the last line check read the whole tail as one line, and the
    csv module raised csv.Error (new-line character seen in unquoted field), a traceback."""
    path = tmp_path / "t.csv"
    path.write_bytes(f"id,plan,spend\rC1,plus,10\r{last}".encode())
    if cut:
        with pytest.raises(ChurnError, match="the last line holds 2 of the header's 3 fields"):
            read_table(str(path))
    else:
        assert read_table(str(path))["id"].tolist() == ["C1", "C2"]


def test_a_last_line_of_blanks_without_a_line_end_is_no_cut_file(tmp_path):
    """Spaces or a tab after the last line end (an editor's indent): pandas and batch scoring
    skip the blank line; ingest refused the file as cut short."""
    path = tmp_path / "t.csv"
    path.write_text("id,plan,spend\nC1,plus,10\n  \t")
    assert read_table(str(path))["id"].tolist() == ["C1"]


def test_a_quoted_line_break_in_the_last_row_without_a_line_end_is_no_cut_file(tmp_path):
    """The last line of such a file ('world",3') holds fewer fields than the header, yet ends a
    complete row: ingest refused the file as cut short (batch scoring read it)."""
    path = tmp_path / "t.csv"
    path.write_text('id,note,spend\nC1,"a\nb",2\nC2,"hello\nworld",3')
    frame = read_table(str(path))
    assert frame["note"].tolist() == ["a\nb", "hello\nworld"] and frame["spend"].tolist() == [2, 3]
    with open_table(str(path)) as handle:
        chunk = next(read_chunks(handle, str(path), 100, DataParams("churned", 1, "id", ""))[1])
    assert chunk["note"].tolist() == frame["note"].tolist()


@pytest.mark.parametrize("compression", ["", ".gz"])
def test_a_line_with_fewer_fields_than_the_header_is_refused_naming_it(tmp_path, compression):
    """A value with an unquoted line break split a row in two: pandas padded both halves with
    missing values and ingest exited 0 (batch scoring refused the same file)."""
    path = tmp_path / f"t.csv{compression}"
    text = "\n\nid,plan,note,spend\nC1,plus,ok,10\nC2,free,first line\nsecond line,5\nC3,,,\n"
    opener = gzip.open if compression else open
    with opener(path, "wt") as handle:
        handle.write(text)
    expected = (
        f"{path}: line 5 holds 3 of the header's 4 fields (and 1 more line like it): a value "
        "with an unquoted line break, or a line cut short"
    )
    with pytest.raises(ChurnError, match=re.escape(expected)):
        read_table(str(path))


def test_quoted_line_breaks_blank_lines_and_empty_fields_are_no_short_lines(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text('id,plan,note,spend\nC1,plus,"two\nlines",10\n\n   \nC2,,,\n')
    frame = read_table(str(path))
    assert frame["id"].tolist() == ["C1", "C2"] and frame["note"].tolist()[0] == "two\nlines"


def test_a_line_repeating_the_header_is_refused_naming_it(tmp_path):
    """Files joined with their header lines: each repeat became a row of column names, which
    validate quarantined as invalid_label."""
    path = tmp_path / "t.csv"
    path.write_text("id,plan,churned\nC1,plus,0\nid,plan,churned\nC2,free,1\nid,plan,churned\n")
    expected = f"{path}: line 3 repeats the header (and 1 more line like it): files joined"
    with pytest.raises(ChurnError, match=re.escape(expected)):
        read_table(str(path))


def test_a_column_renamed_by_letter_case_between_files_is_refused_naming_both(tmp_path):
    """Monthly exports where `Churn` became `churn` were stacked as two columns: the label
    missing in half the rows (quarantined), and `churn` a model feature in an inferred contract."""
    exports = tmp_path / "exports"
    exports.mkdir()
    pd.DataFrame({"customerID": ["a"], "tenure": [1], "Churn": ["Yes"]}).to_csv(
        exports / "a.csv", index=False
    )
    pd.DataFrame({"customerID": ["b"], "tenure": [2], "churn ": ["No"]}).to_csv(
        exports / "b.csv", index=False
    )
    message = r"b\.csv: column 'churn ' is 'Churn' in .*a\.csv, spelt otherwise \(letter case"
    with pytest.raises(ChurnError, match=message):
        ingest_main(["--source", str(exports), "--out", str(tmp_path / "c.parquet")])
    with pytest.raises(ChurnError, match=message):
        contract_main(["infer", str(exports)])
    with pytest.raises(ChurnError, match=message):
        read_frame(str(exports), load_section("data", REPO / "params.yaml"))


def test_two_columns_one_file_spells_apart_stay_two_columns(tmp_path):
    """Spellings that one file holds side by side are two columns, whatever the case."""
    pd.DataFrame({"id": ["a"], "Score": [1], "score": [2]}).to_csv(tmp_path / "a.csv", index=False)
    pd.DataFrame({"id": ["b"], "Score": [3]}).to_csv(tmp_path / "b.csv", index=False)
    out = tmp_path / "c.parquet"
    ingest_main(["--source", str(tmp_path), "--files", "*.csv", "--out", str(out)])
    assert list(pd.read_parquet(out).columns) == ["id", "Score", "score"]


def test_a_third_spelling_is_refused_though_one_file_holds_two_side_by_side(tmp_path):
    """One file holds Tenure and tenure (two columns); TENURE in another matches neither
    file's pair: it was stacked as a third column, missing in every other file's rows."""
    for name, columns in {"a": ["Tenure", "tenure"], "b": ["tenure"], "c": ["TENURE"]}.items():
        frame = pd.DataFrame({"id": [name], **{column: [1] for column in columns}})
        frame.to_csv(tmp_path / f"{name}.csv", index=False)
    message = r"c\.csv: column 'TENURE' is 'Tenure' in .*a\.csv, spelt otherwise"
    with pytest.raises(ChurnError, match=message):
        ingest_main(["--source", str(tmp_path), "--files", "*.csv", "--out", str(tmp_path / "o")])
