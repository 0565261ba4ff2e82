"""Batch scoring on inputs users make by accident: its own rejects file scored again, ids that
are numbers too large for 64-bit integers, and a run stopped by SIGTERM half-way."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from churn import predict
from churn.errors import ChurnError
from tests.fork_server import run_module
from tests.helpers import REPO, repo_env
from tests.model.conftest import CONTRACT
from tests.model.test_predict import artifact_args, lenient_args, messy_csv, run_predict


def test_a_rejects_file_fixed_and_scored_again_replaces_its_reasons(trained, tmp_path, capsys):
    messy_csv(trained, tmp_path / "in.csv")
    first = ["--input", str(tmp_path / "in.csv"), "--output", str(tmp_path / "o.csv")]
    run_predict(capsys, *first, "--rejects", str(tmp_path / "r.csv"), *artifact_args(trained.root))
    again = ["--input", str(tmp_path / "r.csv"), "--output", str(tmp_path / "o2.csv")]
    again += ["--rejects", str(tmp_path / "r2.csv")]
    summary = run_predict(capsys, *again, *lenient_args(trained.root, tmp_path))
    assert summary["rows_in"] == 3 == summary["rows_scored"] + summary["rows_rejected"]
    assert "reject_reason" in summary["ignored_columns"]
    rejects = pd.read_csv(tmp_path / "r2.csv")
    assert list(rejects.columns).count("reject_reason") == 1
    assert rejects.columns[-1] == "reject_reason"
    assert sorted(rejects["reject_reason"]) == sorted(summary["rejected_by_reason"])
    # the rows' places in the file scored this time, not in the first input
    assert list(rejects.columns).count("input_row") == 1
    assert rejects.columns[-2] == "input_row"
    assert set(rejects["input_row"]) <= {0, 1, 2}


@pytest.mark.parametrize("chunk_size", ["7", "1000"])
def test_each_rejected_row_names_its_place_in_the_input(trained, tmp_path, capsys, chunk_size):
    """input_row: without an id column a rejected row could be traced back only by its values;
    it counts as the scores' ids count rows when the data has no id (0-based, header aside)."""
    messy_csv(trained, tmp_path / "in.csv")  # rows 3-5 and 8 are bad, 3 rejected
    written = pd.read_csv(tmp_path / "in.csv", dtype=str)  # the values as the file wrote them
    files = ["--input", str(tmp_path / "in.csv"), "--output", str(tmp_path / "o.csv")]
    files += ["--rejects", str(tmp_path / "r.parquet"), "--chunk-size", chunk_size]
    summary = run_predict(capsys, *files, *artifact_args(trained.root))
    rejects = pd.read_parquet(tmp_path / "r.parquet")
    assert len(rejects) == summary["rows_rejected"] > 0
    assert rejects["input_row"].dtype == "int64"
    assert rejects["input_row"].is_monotonic_increasing
    at = rejects["input_row"].to_numpy()
    for column in ("customer_id", "tenure_months", "orders_30d", "device"):
        expected = written[column].iloc[at].fillna("<missing>").tolist()
        assert rejects[column].fillna("<missing>").tolist() == expected, column


def test_numeric_ids_beyond_64_bit_integers_are_spelt_in_full(trained, tmp_path, capsys):
    rows = trained.test_rows.head(3).reset_index(drop=True)
    as_float = rows.assign(customer_id=[9.3e18, 12.0, 1e20])
    as_uint = rows.assign(customer_id=pd.Series([2**63 + 5, 12, 13], dtype="uint64"))
    expected = {
        "float.parquet": ["9300000000000000000", "12", "100000000000000000000"],
        "uint.parquet": ["9223372036854775813", "12", "13"],
    }
    as_float.to_parquet(tmp_path / "float.parquet")
    as_uint.to_parquet(tmp_path / "uint.parquet")
    for name, ids in expected.items():
        files = ["--input", str(tmp_path / name), "--output", str(tmp_path / f"{name}.out.csv")]
        assert run_predict(capsys, *files, *artifact_args(trained.root))["rows_scored"] == 3
        scored = pd.read_csv(tmp_path / f"{name}.out.csv", dtype={"id": str})
        assert scored["id"].tolist() == ids


@pytest.mark.parametrize("chunk_size", ["2", "100"])
def test_an_id_written_with_a_zero_fraction_repeats_the_integer_but_comes_back_as_written(
    trained, tmp_path, capsys, chunk_size
):
    """pandas writes an int id column with a gap as 100001.0: that is customer 100001, whichever
    chunk it falls in, as the API reads 100001.0; the scores keep the text the input wrote."""
    rows = trained.test_rows.head(5).drop(columns="snapshot_month").reset_index(drop=True)
    rows["customer_id"] = ["100001.0", "0012", "100001", "12", "C-12.5"]
    rows.to_csv(tmp_path / "in.csv", index=False)
    files = ["--input", str(tmp_path / "in.csv"), "--output", str(tmp_path / "o.csv")]
    files += ["--rejects", str(tmp_path / "r.csv"), "--chunk-size", chunk_size]
    summary = run_predict(capsys, *files, *artifact_args(trained.root))
    assert summary["rejected_by_reason"] == {"duplicate_id:customer_id": 1}
    scored = pd.read_csv(tmp_path / "o.csv", dtype={"id": str})["id"].tolist()
    assert scored == ["100001.0", "0012", "12", "C-12.5"]  # "0012" is not the number 12
    assert pd.read_csv(tmp_path / "r.csv", dtype=str)["customer_id"].tolist() == ["100001"]


STOP_AFTER_FIRST_CHUNK = """
import os, signal, sys
from churn import outputs, predict
from churn.errors import run_cli
write = outputs.TableWriter.write
def write_then_stop(self, frame):
    write(self, frame)
    if len(frame):
        os.kill(os.getpid(), signal.SIGTERM)
outputs.TableWriter.write = write_then_stop
sys.argv = ["churn.predict", *sys.argv[1:]]
run_cli(predict.main, "churn.predict")
"""


def test_a_run_stopped_by_sigterm_leaves_no_partial_files(trained, tmp_path):
    """A SIGTERM right after the first chunk's scores are written (to a hidden partial file
    next to the output), with more chunks to come, leaves no file behind. The signal is sent
    at that point by the run itself, not after a wait: no race with a fast or slow machine."""
    trained.test_rows.head(100).to_csv(tmp_path / "in.csv", index=False)
    out = tmp_path / "out" / "scores.csv"
    out.parent.mkdir()
    files = ["--input", str(tmp_path / "in.csv"), "--output", str(out), "--chunk-size", "20"]
    command = [sys.executable, "-c", STOP_AFTER_FIRST_CHUNK, *files, *artifact_args(trained.root)]
    stopped = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    assert stopped.returncode == 128 + signal.SIGTERM, stopped.stderr
    assert stopped.stderr.strip().splitlines()[-1] == "churn.predict: terminated"
    assert list(out.parent.iterdir()) == []
    assert [path.name for path in Path(tmp_path).iterdir() if path.name != "out"] == ["in.csv"]


def test_decimal_commas_in_a_comma_delimited_file_are_refused_as_ingest_refuses_them(
    trained, tmp_path
):
    trained.test_rows.head(3).to_csv(tmp_path / "in.csv", index=False)
    files = ["--input", str(tmp_path / "in.csv"), "--output", str(tmp_path / "o.csv")]
    with pytest.raises(ChurnError, match=r"in.csv: comma-delimited, so its numbers cannot have"):
        predict.main([*files, "--decimal", ",", *artifact_args(trained.root)])


def test_a_parquet_file_naming_a_column_twice_is_refused(trained, tmp_path):
    rows = trained.test_rows.head(3)
    table = pa.Table.from_pandas(rows, preserve_index=False)
    pq.write_table(table.append_column("device", table.column("device")), tmp_path / "in.parquet")
    files = ["--input", str(tmp_path / "in.parquet"), "--output", str(tmp_path / "o.csv")]
    with pytest.raises(ChurnError, match=r"column 'device' appears more than once in the header"):
        predict.main([*files, *artifact_args(trained.root)])


def params_with_contract_lacking(trained, folder: Path, names: list[str]) -> list[str]:
    """artifact_args whose params name a copy of the contract without the given columns."""
    contract = yaml.safe_load(Path(CONTRACT).read_text())
    contract["columns"] = {k: v for k, v in contract["columns"].items() if k not in names}
    (folder / "contract.yaml").write_text(yaml.safe_dump(contract))
    params = yaml.safe_load((trained.root / "params.yaml").read_text())
    params["data"]["contract"] = str(folder / "contract.yaml")
    (folder / "params.yaml").write_text(yaml.safe_dump(params))
    args = artifact_args(trained.root)
    return [*args[:-1], str(folder / "params.yaml")]


def test_ids_are_kept_and_checked_when_the_contract_leaves_the_id_out(trained, tmp_path, capsys):
    rows = trained.test_rows.head(5).reset_index(drop=True)
    rows = rows.assign(customer_id=[101, 102, 103, 104, 101]).drop(columns="snapshot_month")
    rows.to_parquet(tmp_path / "in.parquet")
    args = params_with_contract_lacking(trained, tmp_path, ["customer_id"])
    files = ["--input", str(tmp_path / "in.parquet"), "--output", str(tmp_path / "o.csv")]
    summary = run_predict(capsys, *files, *args)
    assert summary["rejected_by_reason"] == {"duplicate_id:customer_id": 1}
    assert pd.read_csv(tmp_path / "o.csv", dtype=str)["id"].tolist() == ["101", "102", "103", "104"]


def test_decimal_commas_in_a_model_input_outside_the_contract_are_read(trained, tmp_path, capsys):
    """With contract.new_column: include the model reads columns the contract lacks; decimal
    commas in them are numbers, as ingest reads them (12,5 is 12.5, not 125)."""
    rows = trained.test_rows.head(4).reset_index(drop=True).assign(avg_order_value=12.5)
    args = params_with_contract_lacking(trained, tmp_path, ["avg_order_value"])
    params = yaml.safe_load((tmp_path / "params.yaml").read_text())
    params["contract"]["new_column"] = "include"  # else such a contract is refused at start
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(params))
    rows.to_parquet(tmp_path / "in.parquet")
    rows.to_csv(tmp_path / "in.csv", sep=";", decimal=",", index=False)
    for name in ("in.parquet", "in.csv"):
        files = ["--input", str(tmp_path / name), "--output", str(tmp_path / f"{name}.out.csv")]
        run_predict(capsys, *files, "--decimal", ",", *args)
    parquet, csv = (pd.read_csv(tmp_path / f"{n}.out.csv") for n in ("in.parquet", "in.csv"))
    assert csv["churn_probability"].tolist() == parquet["churn_probability"].tolist()


def test_a_params_value_out_of_range_names_the_params_file_given(trained, tmp_path):
    params = yaml.safe_load((trained.root / "params.yaml").read_text())
    params["evaluate"]["threshold"] = 1.5
    (tmp_path / "other.yaml").write_text(yaml.safe_dump(params))
    trained.test_rows.head(2).to_csv(tmp_path / "in.csv", index=False)
    args = [*artifact_args(trained.root)[:-1], str(tmp_path / "other.yaml")]
    files = ["--input", str(tmp_path / "in.csv"), "--output", str(tmp_path / "o.csv")]
    with pytest.raises(ChurnError, match=r"other.yaml: key 'evaluate.threshold' should be between"):
        predict.main([*files, *args])


STOP_AFTER_FIRST_PUBLISH = """
import os, signal, sys
import churn.publishing as publishing
from churn import predict
from churn.errors import run_cli
publish = publishing.publish
def publish_then_stop(name, path):
    publish(name, path)
    os.kill(os.getpid(), signal.SIGTERM)
publishing.publish = publish_then_stop
sys.argv = ["churn.predict", *sys.argv[1:]]
run_cli(predict.main, "churn.predict")
"""


def test_a_sigterm_while_publishing_still_publishes_every_output(trained, tmp_path):
    """Scores and rejects are published together: a stop between the two (an S3 upload takes
    time) used to leave new scores beside the previous run's rejects."""
    rows = trained.test_rows.head(5).reset_index(drop=True)
    rows.head(3).to_csv(tmp_path / "old.csv", index=False)
    rows.assign(tenure_months=[1, 2, 3, 4, -5]).to_csv(tmp_path / "new.csv", index=False)
    out = ["--output", str(tmp_path / "s.csv"), *artifact_args(trained.root)]
    subprocess.run([sys.executable, "-m", "churn.predict", "--input", str(tmp_path / "old.csv"),
                    *out], check=True, capture_output=True, cwd=REPO)  # fmt: skip
    stopped = subprocess.run([sys.executable, "-c", STOP_AFTER_FIRST_PUBLISH, "--input",
                              str(tmp_path / "new.csv"), *out],
                             capture_output=True, text=True, cwd=REPO)  # fmt: skip
    assert stopped.returncode == 128 + signal.SIGTERM, stopped.stderr
    assert len(pd.read_csv(tmp_path / "s.csv")) == 4
    assert pd.read_csv(tmp_path / "s.rejects.csv")["reject_reason"].tolist() == [
        "below_min:tenure_months"
    ]


def test_rejects_of_a_decimal_comma_file_show_the_values_as_written(trained, tmp_path, capsys):
    rows = trained.test_rows.head(2).reset_index(drop=True)
    rows = rows.assign(tenure_months=[3, -5], avg_order_value=[101.08, 55.5])
    rows.to_csv(tmp_path / "eu.csv", sep=";", decimal=",", index=False)
    files = ["--input", str(tmp_path / "eu.csv"), "--output", str(tmp_path / "o.csv")]
    run_predict(capsys, *files, "--decimal", ",", *artifact_args(trained.root))
    rejects = pd.read_csv(tmp_path / "o.rejects.csv", dtype=str)
    assert rejects["avg_order_value"].tolist() == ["55,5"]  # not "55.5"
    assert rejects["reject_reason"].tolist() == ["below_min:tenure_months"]


def test_a_parquet_file_whose_metadata_mistypes_a_column_is_one_line(trained, tmp_path):
    text = pa.Table.from_pandas(pd.DataFrame({"device": ["x"]}), preserve_index=False)
    struct = pa.table({"device": pa.array([{"k": 1}])}).replace_schema_metadata(
        text.schema.metadata
    )
    pq.write_table(struct, tmp_path / "in.parquet")
    files = ["--input", str(tmp_path / "in.parquet"), "--output", str(tmp_path / "o.csv")]
    with pytest.raises(
        ChurnError, match=r"in.parquet: cannot be read \(Unsupported cast from struct"
    ):
        predict.main([*files, *artifact_args(trained.root)])


def test_a_stray_decimal_comma_among_decimal_points_is_a_wrong_typed_value(
    trained, tmp_path, capsys
):
    """Only decimal commas that are most of a column stop the run (the file's format); a stray
    one is a wrong-typed value: missing in a nullable column, and counted."""
    rows = trained.test_rows.head(30).reset_index(drop=True).astype({"avg_order_value": object})
    rows.loc[5, "avg_order_value"] = "48,49"
    rows.to_csv(tmp_path / "in.csv", index=False)
    files = ["--input", str(tmp_path / "in.csv"), "--output", str(tmp_path / "o.csv")]
    summary = run_predict(capsys, *files, *artifact_args(trained.root))
    assert summary["rows_scored"] == 30
    assert summary["coerced"] == {"avg_order_value:text_to_missing": 1}


def test_an_empty_revision_is_refused_not_read_as_the_workspace(trained, tmp_path, capsys):
    files = ["--input", str(tmp_path / "in.csv"), "--output", str(tmp_path / "o.csv")]
    with pytest.raises(SystemExit) as stopped:
        predict.main([*files, "--rev", "", *artifact_args(trained.root)])
    assert stopped.value.code == 2
    assert "--rev: expected a git revision or tag, got an empty name" in capsys.readouterr().err


@pytest.mark.parametrize("artifact", ["model", "features", "contract"])
def test_an_artifact_that_is_not_utf8_is_one_line_naming_it(trained, tmp_path, artifact):
    """A Parquet file given as --model, a Latin-1 feature spec or contract: each was a
    UnicodeDecodeError traceback (exit 1)."""
    args = artifact_args(trained.root)
    bad = tmp_path / f"{artifact}.bin"
    bad.write_bytes(b"PAR1\xe8\x15\x00" if artifact == "model" else b'{"note": "Gr\xfc\xdfe"}')
    if artifact == "contract":
        params = yaml.safe_load((trained.root / "params.yaml").read_text())
        params["data"]["contract"] = str(bad)
        (tmp_path / "params.yaml").write_text(yaml.safe_dump(params))
        args[-1] = str(tmp_path / "params.yaml")
    else:
        args[args.index(f"--{artifact}") + 1] = str(bad)
    trained.test_rows.head(2).to_csv(tmp_path / "in.csv", index=False)
    files = ["--input", str(tmp_path / "in.csv"), "--output", str(tmp_path / "o.csv")]
    result = run_module(
        [sys.executable, "-m", "churn.predict", *files, *args], cwd=REPO, env=repo_env(REPO)
    )
    reason = "model file is not valid JSON" if artifact == "model" else "not UTF-8 text"
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"churn.predict: error: {bad}: {reason}")
