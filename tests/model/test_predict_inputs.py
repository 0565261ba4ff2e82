"""Batch scoring of inputs a user tester sent: a summary path naming another file, Parquet files
holding columns as their pandas index, CSV files with odd endings, snapshots spelt two ways,
decimal commas among points, nested Parquet columns."""

from __future__ import annotations

import gzip
import subprocess
import sys

import pandas as pd
import pytest

from churn import predict
from churn.errors import ChurnError
from tests.helpers import REPO
from tests.model.test_predict import artifact_args, run_predict


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
from churn.params import DataParams
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


def test_a_csv_parse_error_exits_2_every_time(trained, tmp_path):
    """Arrow reads ahead from Python on its own thread; a parse error in the first block of a
    long file left it reading at exit, which then aborted (134) or hung now and then. Reading
    as churn.predict reads, without loading a model, 20 times."""
    head = trained.test_rows.head(200).to_csv(index=False)
    tail = "".join(head.splitlines(keepends=True)[1:]) * 300  # some MiB to read ahead
    with gzip.open(tmp_path / "in.csv.gz", "wt") as packed:
        packed.write(head + ",,,\n" + tail)
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


def test_lines_of_spaces_are_blank_and_other_short_rows_still_stop_the_run(
    trained, tmp_path, capsys
):
    """As has_rows (--fallback) reads them: a line of spaces is no row."""
    rows = trained.test_rows.head(5).to_csv(index=False)
    (tmp_path / "spaces.csv").write_text(rows + "   \n\t\n")
    files = ["--input", str(tmp_path / "spaces.csv"), "--output", str(tmp_path / "o.csv")]
    summary = run_predict(capsys, *files, *artifact_args(trained.root))
    assert summary["rows_in"] == 5 == summary["rows_scored"]
    (tmp_path / "short.csv").write_text(rows + "   \n,,,\n")
    files = ["--input", str(tmp_path / "short.csv"), "--output", str(tmp_path / "o2.csv")]
    with pytest.raises(ChurnError, match=r"short.csv: cannot be read \(CSV parse error: Row #8"):
        predict.main([*files, *artifact_args(trained.root)])
