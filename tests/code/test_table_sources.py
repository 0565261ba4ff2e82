"""Which files a source names (ingest.source, infer, drift): folders, globs, hidden files, and
object stores that refuse or cannot be reached, through a real S3 API server (moto) on 127.0.0.1."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from churn.errors import ChurnError
from churn.table_sources import list_table_files
from tests.helpers import REPO
from tests.s3_server import BUCKET, CREDENTIALS, free_port

ROWS = pd.DataFrame({"customer_id": ["C1", "C2"], "tenure": [1, 2], "churned": [0, 1]})


def names(paths: list[str]) -> list[str]:
    return [path.rsplit("/", 1)[-1] for path in paths]


def test_a_folder_means_its_visible_files_and_names_the_hidden_ones(tmp_path, capsys):
    """A notebook's checkpoint copy (.ipynb_checkpoints) used to be read as data, and, sorting
    first, its stale rows won over the real ones as duplicates."""
    for relative in ["a.csv", "sub/b.csv", ".ipynb_checkpoints/a-checkpoint.csv",
                     "_temporary/part.csv", "sub/.hidden.csv", "_SUCCESS"]:  # fmt: skip
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        ROWS.to_csv(tmp_path / relative, index=False)
    assert names(list_table_files(str(tmp_path))) == ["a.csv", "b.csv"]
    note = capsys.readouterr().err.strip()
    assert note == (
        f"{tmp_path}: skipped 4 file(s) in hidden folders or with hidden names (. or _ first): "
        ".ipynb_checkpoints/a-checkpoint.csv, _SUCCESS, _temporary/part.csv, ... (4 in all)"
    )


def nested(tmp_path: Path) -> Path:
    """Three monthly folders and a notebook's checkpoint copy of one of them."""
    for folder in ["2026-01", "2026-02", "other", ".ipynb_checkpoints"]:
        (tmp_path / "nested" / folder).mkdir(parents=True)
        ROWS.to_parquet(tmp_path / "nested" / folder / "a.parquet")
    return tmp_path / "nested"


@pytest.mark.parametrize("pattern", ["", "*/*.parquet", "**/*.parquet", "*/a.parquet"])
def test_a_glob_skips_hidden_folders_below_the_source_as_a_folder_does(tmp_path, capsys, pattern):
    """A glob read .ipynb_checkpoints/a.parquet too: its rows came in twice, without a word."""
    source = str(nested(tmp_path) / pattern) if pattern else str(nested(tmp_path))
    found = list_table_files(source)
    assert [Path(p).parent.name for p in found] == ["2026-01", "2026-02", "other"]
    assert capsys.readouterr().err == (
        f"{source}: skipped 1 file(s) in hidden folders or with hidden names (. or _ first): "
        ".ipynb_checkpoints/a.parquet\n"
    )


def test_a_glob_that_names_hidden_files_reads_them(tmp_path, capsys):
    source = nested(tmp_path)
    ROWS.to_csv(source / "_part-0001.csv", index=False)
    assert names(list_table_files(str(source / "_part-*.csv"))) == ["_part-0001.csv"]
    found = list_table_files(str(source / ".ipynb_checkpoints/*.parquet"))
    assert [Path(p).parent.name for p in found] == [".ipynb_checkpoints"]
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    "pattern, expected",
    [("s_0?.csv", ["s_01.csv", "s_02.csv"]), ("s_[01]0.csv", ["s_10.csv"]),
     ("s_*.csv", ["s_01.csv", "s_02.csv", "s_10.csv"])],
)  # fmt: skip
def test_every_glob_character_is_a_glob(tmp_path, pattern, expected):
    """Only `*` used to expand: `?` and `[...]` were looked up as literal file names."""
    for name in ["s_01.csv", "s_02.csv", "s_10.csv"]:
        ROWS.to_csv(tmp_path / name, index=False)
    assert names(list_table_files(str(tmp_path / pattern))) == expected


def test_a_file_whose_name_holds_glob_characters_is_read_as_named(tmp_path):
    ROWS.to_csv(tmp_path / "export[1].csv", index=False)
    ROWS.to_csv(tmp_path / "export1.csv", index=False)
    assert names(list_table_files(str(tmp_path / "export[1].csv"))) == ["export[1].csv"]


def ingest_process(tmp_path: Path, source: str, **env: str) -> subprocess.CompletedProcess:
    """churn.ingest as its own process (the S3 client reads its settings at start-up)."""
    settings = {**CREDENTIALS, "AWS_DEFAULT_REGION": "us-east-1",
                "AWS_EC2_METADATA_DISABLED": "true", "AWS_MAX_ATTEMPTS": "1", **env}  # fmt: skip
    return subprocess.run(
        [sys.executable, "-m", "churn.ingest", "--source", source, "--out", str(tmp_path / "o.pq")],
        capture_output=True, text=True, cwd=REPO, env={**os.environ, **settings},
    )  # fmt: skip


def test_an_s3_url_without_a_bucket_is_one_line(tmp_path):
    with pytest.raises(ChurnError, match=r"^s3://: names no bucket or folder$"):
        list_table_files("s3://")


@pytest.mark.s3
@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("s3://churn-dvc-typo/exports/", "no such bucket 'churn-dvc-typo'"),
        ("s3://churn-dvc-typo", "no such bucket 'churn-dvc-typo'"),
        (f"s3://{BUCKET}/no-exports/", "no such file or folder"),
    ],
)
def test_a_missing_bucket_is_named_as_such(s3_endpoint, tmp_path, source, problem):
    """A misspelt bucket was 'no such file or folder', as if the prefix were wrong."""
    result = ingest_process(tmp_path, source, AWS_ENDPOINT_URL=s3_endpoint)
    assert result.returncode == 2, result.stderr
    assert result.stderr == f"churn.ingest: error: {source}: {problem}\n"


def test_a_url_without_buckets_is_not_said_to_miss_one():
    """An http:// path starts with its scheme, not a bucket: no 'no such bucket 'http:''."""
    import fsspec

    from churn.table_sources import absence

    assert absence(fsspec.filesystem("http"), "http://127.0.0.1:9/x.csv") == (
        "no such file or folder"
    )


@pytest.mark.s3
@pytest.mark.parametrize("problem", ["refused credentials", "no server", "not a URL"])
def test_a_bucket_that_refuses_or_cannot_be_reached_is_not_called_missing(
    checking_s3_endpoint, tmp_path, problem
):
    """Refused credentials were reported as "no such file or folder"; an endpoint that is not a
    URL was a traceback."""
    endpoint = {
        "refused credentials": checking_s3_endpoint,
        "no server": f"http://127.0.0.1:{free_port()}",
        "not a URL": "not-a-url",
    }[problem]
    result = ingest_process(tmp_path, f"s3://{BUCKET}/src/", AWS_ENDPOINT_URL=endpoint)
    assert result.returncode == 2, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"churn.ingest: error: s3://{BUCKET}/src/: ")
    assert "no such file" not in line and "Traceback" not in line


def test_partition_folders_are_columns_for_ingest_infer_and_drift(tmp_path, capsys):
    """A Spark or pandas `partition_cols` export (exports/snapshot_month=2026-01/part.parquet)
    keeps the partition column in the folder names only: ingest, contract infer and drift read
    the files without it, so data.timestamp: snapshot_month was 'not found' and a partition by
    region silently lost the column."""
    from churn.contract import main as contract_main
    from churn.drift_inputs import read_frame
    from churn.ingest import main as ingest_main
    from churn.params import load_section

    frame = ROWS.assign(month=["2026-01", "2026-02"], region=["EU", None])
    frame.to_parquet(tmp_path / "exports", partition_cols=["month", "region"], index=False)
    (tmp_path / "exports" / "_SUCCESS").write_text("")
    source = str(tmp_path / "exports")
    ingest_main(["--source", source, "--out", str(tmp_path / "out.parquet")])
    table = pd.read_parquet(tmp_path / "out.parquet").sort_values("customer_id")
    assert table["month"].tolist() == ["2026-01", "2026-02"]
    assert table["region"].fillna("-").tolist() == ["EU", "-"]  # Hive's null partition
    read = read_frame(source, load_section("data", REPO / "params.yaml"))
    assert sorted(read["month"]) == ["2026-01", "2026-02"]
    capsys.readouterr()
    contract_main(["infer", source, "--params", str(REPO / "params.yaml")])
    assert "  month:\n" in capsys.readouterr().out
