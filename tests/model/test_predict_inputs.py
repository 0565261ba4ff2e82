"""Batch scoring of inputs a user tester sent: a summary path naming another file, Parquet files
holding columns as their pandas index, CSV files with odd endings, snapshots spelt two ways,
decimal commas among points, nested Parquet columns."""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys

import fsspec
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from churn import predict
from churn.batch_input import has_rows
from churn.errors import ChurnError
from churn.tables import read_table
from tests.helpers import REPO
from tests.model.test_predict import artifact_args, lenient_args, run_predict


def test_a_summary_that_would_overwrite_an_input_or_an_output_is_refused(trained, tmp_path):
    trained.test_rows.head(3).to_csv(tmp_path / "in.csv", index=False)
    source = str(tmp_path / "in.csv")
    for summary, message in (
        (source, "--summary names an input file"),
        (f"file://{tmp_path}/sub/../in.csv", "--summary names an input file"),
        (str(tmp_path / "o.csv"), "--summary and --output name the same file"),
        (str(tmp_path / "o.rejects.csv"), "--summary and --rejects name the same file"),
    ):
        with pytest.raises(ChurnError, match=message):
            predict.main(["--input", source, "--output", str(tmp_path / "o.csv"),
                          "--summary", summary, *artifact_args(trained.root)])  # fmt: skip
    with pytest.raises(ChurnError, match="--summary names an input file"):
        predict.main(["--input", str(tmp_path / "absent.csv"), "--fallback", source,
                      "--output", str(tmp_path / "o.csv"), "--summary", source,
                      *artifact_args(trained.root)])  # fmt: skip
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]
    assert pd.read_csv(source).shape[0] == 3


def test_a_summary_url_is_written_there_not_to_a_local_folder(
    trained, tmp_path, capsys, monkeypatch
):
    """--summary was read as a local Path: s3://bucket/s.json became a folder 's3:' in the
    working directory (exit 0), and a summary URL naming the --output URL was not caught."""
    monkeypatch.chdir(tmp_path)
    trained.test_rows.head(3).to_csv(tmp_path / "in.csv", index=False)
    files = ["--input", str(tmp_path / "in.csv"), "--output", "memory://walk/o.csv"]
    summary = run_predict(capsys, *files, "--summary", "memory://walk/s.json",
                          *artifact_args(trained.root))  # fmt: skip
    with fsspec.open("memory://walk/s.json", "r") as handle:
        assert json.load(handle) == summary
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]
    with pytest.raises(ChurnError, match="--summary and --output name the same file"):
        predict.main([*files, "--summary", "memory://walk/o.csv", *artifact_args(trained.root)])


@pytest.mark.parametrize("index", ["customer_id", "tenure_months"])
def test_columns_stored_as_the_parquet_index_are_read_as_columns(trained, tmp_path, capsys, index):
    """An id or a feature written as the pandas index is used (ids as written, repeats caught,
    values scored); a plain RangeIndex, stored as metadata only, adds no column."""
    rows = trained.test_rows.head(6).reset_index(drop=True)
    rows.loc[5, "customer_id"] = rows.loc[0, "customer_id"]
    rows.set_index(index).to_parquet(tmp_path / "in.parquet")
    rows.to_parquet(tmp_path / "plain.parquet")
    for name in ("in", "plain"):
        files = ["--input", str(tmp_path / f"{name}.parquet")]
        files += ["--output", str(tmp_path / f"{name}.out.csv")]
        summary = run_predict(capsys, *files, *artifact_args(trained.root))
        assert summary["rejected_by_reason"] == {"duplicate_id:customer_id": 1}
        assert summary["imputed_columns"] == [] and "index" not in summary["ignored_columns"]
    scored, plain = (
        pd.read_csv(tmp_path / f"{n}.out.csv", dtype={"id": str}) for n in ("in", "plain")
    )
    assert scored["id"].tolist() == rows["customer_id"].head(5).tolist()
    pd.testing.assert_frame_equal(scored, plain)


READ_ALL = """
import sys
import pyarrow as pa
from churn.batch_input import read_chunks
from churn.errors import ChurnError, run_cli
from churn.data_params import DataParams
from churn.tables import open_table

def read(argv):
    data = DataParams("churned", 1, "customer_id", "snapshot_month")
    try:
        with open_table(sys.argv[1]) as handle:
            for chunk in read_chunks(handle, sys.argv[1], 50_000, data)[1]:
                pass
    except pa.ArrowInvalid as error:
        raise ChurnError(str(error)) from error

run_cli(read, "read")
"""


@pytest.mark.parametrize("backend", ["object", "arrow", "category"])
def test_parquet_columns_of_bytes_are_read_as_text_by_scoring_and_ingest(
    trained, tmp_path, capsys, backend
):
    """A country column written as Python bytes (b'DE') was 30 of 30 unknown categories in
    batch scoring, and the scores changed: bytes are read as the UTF-8 text they hold, as the
    same file written as text; bytes that are not UTF-8 are refused naming the column."""
    rows = trained.test_rows.head(30).reset_index(drop=True)
    as_bytes = rows["country"].map(lambda v: v.encode() if isinstance(v, str) else v)
    if backend == "arrow":
        as_bytes = as_bytes.astype(pd.ArrowDtype(pa.binary()))
    if backend == "category":  # Parquet: a dictionary of binary values
        as_bytes = as_bytes.astype("category")
    rows.to_parquet(tmp_path / "text.parquet")
    rows.assign(country=as_bytes).to_parquet(tmp_path / "bytes.parquet")
    scores = []
    for name in ("text", "bytes"):
        files = [
            "--input",
            str(tmp_path / f"{name}.parquet"),
            "--output",
            str(tmp_path / f"{name}.csv"),
        ]
        assert run_predict(capsys, *files, *artifact_args(trained.root))["unknown_categories"] == {}
        scores.append(pd.read_csv(tmp_path / f"{name}.csv"))
    pd.testing.assert_frame_equal(scores[0], scores[1])
    read = read_table(str(tmp_path / "bytes.parquet"))["country"]
    assert read.astype("string").equals(rows["country"].astype("string"))
    broken = rows.assign(country=[b"\xff\xfe", *as_bytes[1:]])
    broken.to_parquet(tmp_path / "broken.parquet")
    refusal = "broken.parquet: column 'country' holds bytes that are not UTF-8 text"
    with pytest.raises(ChurnError, match=re.escape(refusal)):
        broken_run = [
            "--input",
            str(tmp_path / "broken.parquet"),
            "--output",
            str(tmp_path / "b.csv"),
        ]
        predict.main([*broken_run, *artifact_args(trained.root)])
    with pytest.raises(ChurnError, match=re.escape(refusal)):
        read_table(str(tmp_path / "broken.parquet"))


def test_a_csv_parse_error_exits_2_every_time(trained, tmp_path):
    """Arrow reads ahead from Python on its own thread; a parse error in the first block of a
    long file left it reading at exit, which then aborted (134) or hung now and then. Reading
    as churn.predict reads, without loading a model, 20 times."""
    head = trained.test_rows.head(200).to_csv(index=False)
    rows = "".join(head.splitlines(keepends=True)[1:])
    # a row with a byte that is no UTF-8 (a row of ",,," is rejected now), after the sniffed
    # 64 KiB, in the first block; then some MiB to read ahead
    bad = f"\udcff{head.splitlines()[1][1:]}\n"
    with gzip.open(tmp_path / "in.csv.gz", "wb") as packed:
        text = head + rows * 5 + bad + rows * 300
        packed.write(text.encode(errors="surrogateescape"))
    command = [sys.executable, "-c", READ_ALL, str(tmp_path / "in.csv.gz")]
    codes = []
    for _ in range(5):  # 4 at a time
        runs = [subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL) for _ in range(4)]  # fmt: skip
        codes += [wait_or_kill(run, 20) for run in runs]
    assert codes == [2] * 20


def wait_or_kill(run: subprocess.Popen, seconds: float) -> int | None:
    """The exit status, or None for a run that hung (then killed)."""
    try:
        return run.wait(seconds)
    except subprocess.TimeoutExpired:
        run.kill()
        run.wait()
        return None


def test_a_header_without_a_line_break_scores_no_rows(trained, tmp_path, capsys):
    header = trained.test_rows.head(0).to_csv(index=False).rstrip("\n")
    (tmp_path / "header.csv").write_text(header)
    files = ["--input", str(tmp_path / "header.csv"), "--output", str(tmp_path / "o.csv")]
    assert run_predict(capsys, *files, *artifact_args(trained.root))["rows_in"] == 0
    assert pd.read_csv(tmp_path / "o.csv").empty


def test_lines_of_spaces_are_blank_and_other_short_rows_are_rejected(trained, tmp_path, capsys):
    """As has_rows (--fallback) reads them: a line of spaces is no row; a line of commas is a
    row with too few fields (it stopped the run)."""
    rows = trained.test_rows.head(5).to_csv(index=False)
    (tmp_path / "spaces.csv").write_text(rows + "   \n\t\n")
    files = ["--input", str(tmp_path / "spaces.csv"), "--output", str(tmp_path / "o.csv")]
    summary = run_predict(capsys, *files, *artifact_args(trained.root))
    assert summary["rows_in"] == 5 == summary["rows_scored"]
    (tmp_path / "short.csv").write_text(rows + "   \n,,,\n")
    files = ["--input", str(tmp_path / "short.csv"), "--output", str(tmp_path / "o2.csv")]
    summary = run_predict(capsys, *files, *lenient_args(trained.root, tmp_path))
    assert (summary["rows_in"], summary["rejected_by_reason"]) == (6, {"fields:4": 1})


@pytest.mark.parametrize("sep", [",", ";", "\t"])
@pytest.mark.parametrize("before", ["\n", "\r\n  \r\n\t\n", "\r\r"])
def test_blank_lines_before_the_header_are_skipped_as_ingest_skips_them(
    trained, tmp_path, capsys, sep, before
):
    """A CSV whose first line was blank had its header scored as a data row (or a blank line
    read as its header), and with --fallback was refused as empty; ingest read it, or missed a
    ';' delimiter. Both skip blank lines (empty, or spaces and tabs only) before the header."""
    rows = trained.test_rows.head(5)
    text = rows.to_csv(index=False, sep=sep)
    (tmp_path / "plain.csv").write_text(text)
    (tmp_path / "blank.csv").write_text(before + text)
    rows.head(2).to_parquet(tmp_path / "other.parquet")
    scores = []
    for name, fallback in (("plain", []), ("blank", []), ("blank", ["--fallback"])):
        files = ["--input", str(tmp_path / f"{name}.csv"), "--output", str(tmp_path / "o.csv")]
        fallback += [str(tmp_path / "other.parquet")] if fallback else []
        summary = run_predict(capsys, *files, *fallback, *artifact_args(trained.root))
        assert summary["rows_in"] == 5 == summary["rows_scored"], (name, fallback)
        scores.append(pd.read_csv(tmp_path / "o.csv", dtype={"id": str}))
    pd.testing.assert_frame_equal(scores[1], scores[0])
    pd.testing.assert_frame_equal(scores[2], scores[0])
    ids = ["customer_id"]
    read = read_table(str(tmp_path / "blank.csv"), keep_as_text=ids)  # as ingest reads it
    pd.testing.assert_frame_equal(read, read_table(str(tmp_path / "plain.csv"), keep_as_text=ids))
    assert read["customer_id"].tolist() == scores[1]["id"].tolist()


def test_a_file_of_blank_lines_only_is_refused_as_ingest_refuses_it(trained, tmp_path):
    """Without --fallback it was scored as a file whose header names no contract column; with
    it, refused as 'Empty CSV file'."""
    (tmp_path / "blank.csv").write_text("\n  \r\n\t\n")
    rows = trained.test_rows.head(2)
    rows.to_parquet(tmp_path / "other.parquet")
    files = ["--input", str(tmp_path / "blank.csv"), "--output", str(tmp_path / "o.csv")]
    message = r"blank.csv: blank lines only, no header line$"
    for fallback in ([], ["--fallback", str(tmp_path / "other.parquet")]):
        with pytest.raises(ChurnError, match=message):
            predict.main([*files, *fallback, *artifact_args(trained.root)])
    with pytest.raises(ChurnError, match=message):
        read_table(str(tmp_path / "blank.csv"))
    assert not (tmp_path / "o.csv").exists()


def test_blank_lines_between_rows_are_skipped_as_ingest_skips_them(trained, tmp_path, capsys):
    header, *lines = trained.test_rows.head(4).to_csv(index=False, sep=";").splitlines()
    (tmp_path / "in.csv").write_text("\n".join([header, "", *lines[:2], "  ", *lines[2:], ""]))
    files = ["--input", str(tmp_path / "in.csv"), "--output", str(tmp_path / "o.csv")]
    summary = run_predict(capsys, *files, *artifact_args(trained.root))
    assert summary["rows_in"] == 4 == summary["rows_scored"]
    assert len(read_table(str(tmp_path / "in.csv"))) == 4


def test_snapshots_are_compared_as_dates_when_catching_repeated_ids(trained, tmp_path, capsys):
    """2026-06-01 and 2026-06-01 00:00:00 are one snapshot: its ids were scored twice. Rows
    without a snapshot and another month are no repeats; the output keeps the text written."""
    rows = trained.test_rows.head(5)
    months = ["2026-06-01", "2026-06-01 00:00:00", None, "2026-07-01"]
    blocks = pd.concat([rows.assign(snapshot_month=month) for month in months])
    blocks.to_csv(tmp_path / "in.csv", index=False)
    files = ["--input", str(tmp_path / "in.csv"), "--output", str(tmp_path / "o.csv")]
    summary = run_predict(capsys, *files, *artifact_args(trained.root))
    assert (summary["rows_scored"], summary["rows_rejected"]) == (15, 5)
    assert summary["rejected_by_reason"] == {"duplicate_id:customer_id": 5}
    rejects = pd.read_csv(tmp_path / "o.rejects.csv", dtype=str)
    assert rejects["snapshot_month"].tolist() == ["2026-06-01 00:00:00"] * 5
    scored = pd.read_csv(tmp_path / "o.csv", dtype=str, keep_default_na=False)
    assert scored["snapshot_month"].tolist() == [m or "" for m in months if m != months[1]
                                                 for _ in range(5)]  # fmt: skip


def test_a_customer_on_two_days_of_one_month_is_a_repeat_of_that_snapshot(
    trained, tmp_path, capsys
):
    """Snapshots are calendar months, as validate and split read them: 2026-06-04 and 2026-06-19
    were two snapshots, and the customer was scored twice in one month."""
    rows = trained.test_rows.head(4)
    days = ["2026-06-04", "2026-06-19T08:00:00Z", "2026-07-02"]
    pd.concat([rows.assign(snapshot_month=day) for day in days]).to_csv(
        tmp_path / "in.csv", index=False
    )
    files = ["--input", str(tmp_path / "in.csv"), "--output", str(tmp_path / "o.csv")]
    summary = run_predict(capsys, *files, *artifact_args(trained.root))
    assert (summary["rows_scored"], summary["rows_rejected"]) == (8, 4)
    assert summary["rejected_by_reason"] == {"duplicate_id:customer_id": 4}
    rejects = pd.read_csv(tmp_path / "o.rejects.csv", dtype=str)
    assert rejects["snapshot_month"].tolist() == ["2026-06-19T08:00:00Z"] * 4


def test_nested_parquet_columns_are_written_to_the_rejects_as_json(trained, tmp_path, capsys):
    """A struct or list column the model does not read was written as Python's repr
    ("{'a': 3, 'b': array([1, 2])}"), which no CSV reader can parse back."""
    rows = trained.test_rows.head(3).reset_index(drop=True)
    rows.loc[[0, 2], "tenure_months"] = -5
    table = pa.Table.from_pandas(rows, preserve_index=False)
    table = table.append_column("extra", pa.array([{"a": 3, "b": [1, 2]}, None, {"a": 4, "b": []}]))
    table = table.append_column("tags", pa.array([["x", "y"], [], None]))
    pq.write_table(table, tmp_path / "in.parquet")
    files = ["--input", str(tmp_path / "in.parquet"), "--output", str(tmp_path / "o.csv")]
    summary = run_predict(capsys, *files, *lenient_args(trained.root, tmp_path))
    assert summary["rejected_by_reason"] == {"below_min:tenure_months": 2}
    rejects = pd.read_csv(tmp_path / "o.rejects.csv", dtype=str, keep_default_na=False)
    assert [json.loads(text) for text in rejects["extra"]] == [
        {"a": 3, "b": [1, 2]},
        {"a": 4, "b": []},
    ]
    assert rejects["tags"].tolist() == ['["x", "y"]', ""]
    assert rejects["customer_id"].tolist() == rows["customer_id"].iloc[[0, 2]].astype(str).tolist()


@pytest.mark.parametrize("levels", [1, 2])
def test_a_parquet_file_keeping_an_unnamed_index_scores_as_before(
    trained, tmp_path, capsys, levels
):
    """A file saved after a filter keeps its row labels as an unnamed index: they are no data
    (reading them as a column named 'nan' crashed scoring with a traceback)."""
    rows = trained.test_rows.head(12).reset_index(drop=True)
    rows.loc[3, "tenure_months"] = -5  # one rejected row
    kept = rows[rows.index % 3 != 1]
    if levels == 2:
        kept = kept.set_axis(pd.MultiIndex.from_arrays([kept.index, kept.index * 2]))
    kept.to_parquet(tmp_path / "filtered.parquet")
    files = ["--input", str(tmp_path / "filtered.parquet"), "--output", str(tmp_path / "o.csv")]
    summary = run_predict(capsys, *files, *artifact_args(trained.root))
    assert (summary["rows_in"], summary["rows_scored"], summary["rows_rejected"]) == (8, 7, 1)
    assert "nan" not in summary["ignored_columns"]


def test_a_line_of_tabs_in_a_tab_separated_file_is_a_short_row_not_a_blank_line(
    trained, tmp_path, capsys
):
    rows = trained.test_rows.head(3).to_csv(index=False, sep="\t")
    (tmp_path / "in.tsv").write_text(rows + "\t\t\t\n")
    files = ["--input", str(tmp_path / "in.tsv"), "--output", str(tmp_path / "o.csv")]
    summary = run_predict(capsys, *files, *lenient_args(trained.root, tmp_path))
    assert summary["rejected_by_reason"] == {"fields:4": 1}
    assert summary["rows_in"] == 4 == summary["rows_scored"] + summary["rows_rejected"]


def test_rows_with_too_few_or_too_many_fields_are_rejected_in_their_place(
    trained, tmp_path, capsys
):
    """They stopped the run (`Row #4: Expected 23 columns, got 25`): now each is rejected as
    fields:<n>, with its line as the file wrote it (raw_line) and its place among the rows,
    which the rows after it keep (the scores' ids are row numbers without an id column)."""
    rows = trained.test_rows.head(10).drop(columns="customer_id")
    lines = rows.to_csv(index=False).splitlines()
    width = len(lines[0].split(","))
    lines[4] += ",x,y"  # the input's row 3
    lines[8] = ",".join(lines[8].split(",")[:5])  # row 7
    (tmp_path / "in.csv").write_text("\n".join(lines) + "\n")
    files = ["--input", str(tmp_path / "in.csv"), "--output", str(tmp_path / "o.csv")]
    files += ["--chunk-size", "4", *lenient_args(trained.root, tmp_path)]
    summary = run_predict(capsys, *files)
    assert summary["rejected_by_reason"] == {f"fields:{width + 2}": 1, "fields:5": 1}
    assert (summary["rows_in"], summary["rows_scored"], summary["rows_rejected"]) == (10, 8, 2)
    rejects = pd.read_csv(tmp_path / "o.rejects.csv", dtype=str, keep_default_na=False)
    assert rejects["input_row"].tolist() == ["3", "7"]
    assert rejects["raw_line"].tolist() == [lines[4], lines[8]]
    assert rejects["reject_reason"].tolist() == [f"fields:{width + 2}", "fields:5"]
    scores = pd.read_csv(tmp_path / "o.csv", dtype=str)
    assert scores["id"].tolist() == ["0", "1", "2", "4", "5", "6", "8", "9"]


def test_missing_value_markers_in_the_snapshot_are_no_snapshot(trained, tmp_path, capsys):
    """'' and 'NA' (or 'null', '-', 'N/A', '?') were two snapshots in batch scoring, one in the
    API: the customer was scored once per marker, and the output showed "NA"."""
    row = trained.test_rows.head(1).drop(columns="snapshot_month")
    months = ["", "NA", "2026-06-01", "null", "-", "N/A", "?"]
    pd.concat([row] * len(months)).assign(snapshot_month=months).to_csv(
        tmp_path / "in.csv", index=False
    )
    files = ["--input", str(tmp_path / "in.csv"), "--output", str(tmp_path / "o.csv")]
    summary = run_predict(capsys, *files, *lenient_args(trained.root, tmp_path))
    assert summary["rejected_by_reason"] == {"duplicate_id:customer_id": 5}
    scored = pd.read_csv(tmp_path / "o.csv", dtype=str, keep_default_na=False)
    assert scored["snapshot_month"].tolist() == ["", "2026-06-01"]
    rejects = pd.read_csv(tmp_path / "o.rejects.csv", dtype=str, keep_default_na=False)
    assert rejects["snapshot_month"].tolist() == ["NA", "null", "-", "N/A", "?"]  # as written


@pytest.mark.parametrize("suffix", [".csv.gz", ".csv.bz2", ".csv.xz"])
def test_a_truncated_compressed_input_is_one_line(trained, tmp_path, suffix):
    """A cut .gz/.bz2/.xz file was an EOFError traceback: at the start (the delimiter sniffing)
    and mid-stream (Arrow's reads), also with --fallback and for ingest's reader."""
    rows = trained.test_rows.head(200)
    big = pd.concat([rows] * 60).assign(customer_id=lambda f: [f"C{n}" for n in range(len(f))])
    for name, frame in (("small", rows), ("big", big)):  # big: some MiB, past the first block
        whole = tmp_path / f"whole{suffix}"
        frame.to_csv(whole, index=False)
        packed = whole.read_bytes()
        cut = tmp_path / f"{name}{suffix}"
        cut.write_bytes(packed[: len(packed) * 3 // 4])
        whole.unlink()
        expected = f"{cut}: cannot be read (compressed file is truncated)"
        files = ["--input", str(cut), "--output", str(tmp_path / "o.csv"), "--chunk-size", "500"]
        with pytest.raises(ChurnError) as refused:
            predict.main([*files, *artifact_args(trained.root)])
        assert str(refused.value) == expected
        with pytest.raises(ChurnError, match=re.escape(expected)):
            read_table(str(cut))
    cut.write_bytes(packed[:20])  # within the header: --fallback reads that far
    with pytest.raises(ChurnError, match=re.escape(f"{cut}: cannot be read (compressed file")):
        has_rows(str(cut))
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"big{suffix}", f"small{suffix}"]
