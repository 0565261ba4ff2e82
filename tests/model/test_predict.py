"""Batch scoring (churn.predict) of messy files with the small trained model."""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml

from churn import contract_columns, predict
from churn.errors import ChurnError
from churn.model import predict_proba
from churn.model_matrix import transform
from tests.fork_server import run_module
from tests.helpers import REPO
from tests.model.server import params_with_an_unread_contract_column, params_with_contract_columns


def artifact_args(root: Path) -> list[str]:
    return ["--model", str(root / "model.json"), "--features", str(root / "features.json"),
            "--params", str(root / "params.yaml")]  # fmt: skip


def lenient_args(root: Path, folder: Path) -> list[str]:
    """artifact_args with contract.max_quarantined 1, for tests of what small files whose rows
    are mostly rejected write (else the share check stops the run after writing them)."""
    params = yaml.safe_load((root / "params.yaml").read_text())
    params["contract"]["max_quarantined"] = 1.0
    (folder / "lenient.yaml").write_text(yaml.safe_dump(params))
    return [*artifact_args(root)[:-1], str(folder / "lenient.yaml")]


def messy_csv(trained, path: Path) -> pd.DataFrame:
    """100 test rows as CSV: an extra column, an unseen category, a stray text, two bad rows."""
    flags = {"newsletter_subscribed": "Int64", "app_installed": "Int64"}  # 0/1 as in raw files
    rows = trained.test_rows.head(100).astype({"orders_30d": "object", **flags}).copy()
    rows["loyalty_tier"] = "gold"
    rows.loc[rows.index[3], "device"] = "smart-fridge"
    rows.loc[rows.index[4], "orders_30d"] = "lots"
    rows.loc[rows.index[5], "tenure_months"] = -5
    rows.loc[rows.index[8], "customer_id"] = None
    rows.to_csv(path, index=False)
    return rows


def run_predict(capsys, *args: str) -> dict:
    predict.main(list(args))
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def run_predict_quietly(argv: list[str]) -> dict:
    """predict.main's summary line (stdout), without capsys."""
    with contextlib.redirect_stdout(io.StringIO()) as out:
        predict.main(argv)
    return json.loads(out.getvalue().strip().splitlines()[-1])


def test_messy_csv_rows_in_equal_scored_plus_rejected(trained, tmp_path, capsys):
    rows = messy_csv(trained, tmp_path / "in.csv")
    files = ["--input", str(tmp_path / "in.csv"), "--output", str(tmp_path / "out.csv")]
    files += ["--rejects", str(tmp_path / "rejects.csv")]
    summary = run_predict(capsys, *files, "--chunk-size", "7", *artifact_args(trained.root))
    assert summary["rows_in"] == 100 == summary["rows_scored"] + summary["rows_rejected"]
    assert summary["rejected_by_reason"] == {
        "below_min:tenure_months": 1,
        "null:customer_id": 1,
        "type:orders_30d": 1,  # "lots" is no number, and the contract requires orders_30d
    }
    assert summary["coerced"] == {}  # "lots" is rejected (type:orders_30d), not coerced
    assert summary["ignored_columns"] == ["churned", "loyalty_tier"]
    assert summary["unknown_categories"] == {"device": 1}
    scores, rejects = pd.read_csv(tmp_path / "out.csv"), pd.read_csv(tmp_path / "rejects.csv")
    assert len(scores) == 97 and len(rejects) == 3
    by_reason = rejects.set_index("reject_reason")
    assert by_reason.loc["below_min:tenure_months", "tenure_months"] == -5
    kept = rows.drop(index=rows.index[[4, 5, 8]])
    assert scores["id"].tolist() == kept["customer_id"].tolist()
    expected = predict_proba(trained.model, transform(kept, trained.spec))
    np.testing.assert_allclose(scores["churn_probability"], expected, rtol=1e-12)
    threshold = yaml.safe_load((trained.root / "params.yaml").read_text())["evaluate"]["threshold"]
    assert (scores["churn_decision"] == (expected >= threshold)).all()


def test_chunk_size_does_not_change_the_scores(trained, tmp_path, capsys):
    trained.test_rows.to_parquet(tmp_path / "in.parquet")
    for chunk in ("64", "100000"):
        out = str(tmp_path / f"{chunk}.parquet")
        run_predict(capsys, "--input", str(tmp_path / "in.parquet"), "--output", out,
                    "--chunk-size", chunk, *artifact_args(trained.root))  # fmt: skip
    small, whole = (pd.read_parquet(tmp_path / f"{c}.parquet") for c in ("64", "100000"))
    pd.testing.assert_frame_equal(small, whole)
    assert len(whole) == len(trained.test_rows)


def test_csv_and_parquet_inputs_get_the_same_scores(trained, tmp_path, capsys):
    """A CSV written by pandas (0/1 flags with gaps become 1.0/0.0, gaps become blanks) scores
    exactly like the same rows in Parquet."""
    trained.test_rows.to_csv(tmp_path / "in.csv", index=False)
    trained.test_rows.to_parquet(tmp_path / "in.parquet")
    for kind in ("csv", "parquet"):
        summary = run_predict(capsys, "--input", str(tmp_path / f"in.{kind}"),
                              "--output", str(tmp_path / f"out-{kind}.parquet"),
                              *artifact_args(trained.root))  # fmt: skip
        assert summary["rows_rejected"] == 0 and summary["coerced"] == {}
    from_csv, from_parquet = (
        pd.read_parquet(tmp_path / f"out-{k}.parquet") for k in ("csv", "parquet")
    )
    pd.testing.assert_frame_equal(from_csv, from_parquet)


def test_gzipped_csv_in_and_out_scores_like_plain_csv(trained, tmp_path, capsys):
    rows = trained.test_rows.head(300)
    rows.to_csv(tmp_path / "in.csv", index=False)
    rows.to_csv(tmp_path / "in.csv.gz", index=False)
    for name, out in (("in.csv", "out.csv"), ("in.csv.gz", "out.csv.gz")):
        run_predict(capsys, "--input", str(tmp_path / name), "--output", str(tmp_path / out),
                    *artifact_args(trained.root))  # fmt: skip
    with gzip.open(tmp_path / "out.csv.gz", "rt") as packed:
        assert packed.read() == (tmp_path / "out.csv").read_text()


def test_missing_column_fails_or_is_imputed_by_policy(trained, tmp_path, capsys):
    trained.test_rows.head(50).drop(columns="device").to_parquet(tmp_path / "in.parquet")
    args = ["--input", str(tmp_path / "in.parquet"), "--output", str(tmp_path / "o.parquet")]
    with pytest.raises(ChurnError, match="device"):
        predict.main([*args, *artifact_args(trained.root)])
    summary = run_predict(
        capsys, *args, "--missing-columns", "impute", *artifact_args(trained.root)
    )
    assert summary["imputed_columns"] == ["device"] and summary["rows_scored"] == 50


def test_every_missing_column_is_named_at_once(trained, tmp_path):
    """Only the first was named: the user fixed it and met the next (drift check named all)."""
    rows = trained.test_rows.head(50).drop(columns=["email_open_rate", "satisfaction_score"])
    rows.to_parquet(tmp_path / "in.parquet")
    args = ["--input", str(tmp_path / "in.parquet"), "--output", str(tmp_path / "o.parquet")]
    with pytest.raises(ChurnError) as refused:
        predict.main([*args, *artifact_args(trained.root)])
    assert str(refused.value) == (
        f"{tmp_path / 'in.parquet'}: columns 'email_open_rate', 'satisfaction_score' of the "
        "contract are missing from the data (contract.missing_column: fail)"
    )


def predict_cli(trained, source: Path, target: Path) -> subprocess.CompletedProcess:
    """churn.predict as a separate process, as a user runs it."""
    return run_module(
        [sys.executable, "-m", "churn.predict", "--input", str(source), "--output", str(target),
         *artifact_args(trained.root)],
        cwd=REPO,
    )  # fmt: skip


def test_bad_input_is_one_line_and_exit_2(trained, tmp_path):
    result = predict_cli(trained, tmp_path / "absent.csv", tmp_path / "o.csv")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"churn.predict: error: {tmp_path / 'absent.csv'}: no such file"
    ]


def test_a_delimiter_that_does_not_fit_is_refused_naming_the_file(trained, tmp_path):
    trained.test_rows.head(5).to_csv(tmp_path / "export.csv", sep=";", index=False)
    wrong = r"export.csv: one column only; wrong delimiter\?"
    with pytest.raises(ChurnError, match=wrong) as refused:
        predict.main(["--input", str(tmp_path / "export.csv"), "--output", str(tmp_path / "o.csv"),
                      "--delimiter", ",", *artifact_args(trained.root)])  # fmt: skip
    assert str(refused.value).endswith("try --delimiter ';' or --delimiter auto)")  # as it was set


@pytest.mark.parametrize(
    ("options", "flags"),
    [
        ({"sep": ";"}, []),  # delimiter sniffed from the header line
        ({"sep": "\t"}, []),
        ({"sep": ";", "decimal": ","}, ["--decimal", ","]),  # as European spreadsheets export
    ],
    ids=["semicolon", "tab", "semicolon-decimal-comma"],
)
def test_other_csv_dialects_score_like_parquet(trained, tmp_path, capsys, options, flags):
    rows = trained.test_rows.head(300)
    rows.to_parquet(tmp_path / "in.parquet")
    rows.to_csv(tmp_path / "in.csv", index=False, **options)
    for name, extra in (("in.parquet", []), ("in.csv", flags)):
        files = ["--input", str(tmp_path / name), "--output", str(tmp_path / f"{name}.out.parquet")]
        summary = run_predict(capsys, *files, *extra, *artifact_args(trained.root))
        assert summary["rows_scored"] == 300 and summary["coerced"] == {}
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "in.csv.out.parquet"),
        pd.read_parquet(tmp_path / "in.parquet.out.parquet"),
    )


def test_decimal_commas_are_read_in_numeric_columns_only(trained, tmp_path, capsys):
    """Ids and categories that look like decimal-comma numbers are left as they are."""
    rows = trained.test_rows.head(3).assign(customer_id=["10.001", "1.234.567", "4711,1"])
    rows.to_csv(tmp_path / "eu.csv", sep=";", decimal=",", index=False)
    files = ["--input", str(tmp_path / "eu.csv"), "--output", str(tmp_path / "o.csv")]
    summary = run_predict(capsys, *files, "--decimal", ",", *artifact_args(trained.root))
    assert summary["rows_scored"] == 3
    scores = pd.read_csv(tmp_path / "o.csv", dtype={"id": str})
    assert scores["id"].tolist() == ["10.001", "1.234.567", "4711,1"]


@pytest.mark.parametrize("decimal", [[], ["--decimal", "."]])
def test_decimal_commas_without_the_setting_are_refused_with_a_hint(trained, tmp_path, decimal):
    """The hint named the params key (`set data.decimal: ','`), even after `--decimal .`: the
    flag is what sets the decimal mark for the file scored."""
    trained.test_rows.head(5).to_csv(tmp_path / "eu.csv", sep=";", decimal=",", index=False)
    with pytest.raises(ChurnError, match=r"decimal commas\? set --decimal ','; contract") as stop:
        predict.main(["--input", str(tmp_path / "eu.csv"), "--output", str(tmp_path / "o.csv"),
                      *decimal, *artifact_args(trained.root)])  # fmt: skip
    assert "data.decimal" not in str(stop.value)


@pytest.mark.parametrize(
    ("params", "flags", "message"),
    [
        ({}, ["--delimiter", ",", "--decimal", ","],
         "--decimal ',' needs another delimiter than --delimiter ',': set --delimiter auto, ';', "
         "tab or '|', or --decimal '.'"),
        ({"delimiter": ";", "decimal": ","}, ["--delimiter", ","],
         "data.decimal: ',' needs another delimiter than --delimiter ','"),
        ({"delimiter": ","}, ["--decimal", ","],
         "--decimal ',' needs another delimiter than data.delimiter: ','"),
    ],
)  # fmt: skip
def test_a_delimiter_and_decimal_that_clash_are_named_as_they_were_set(
    trained, tmp_path, params, flags, message
):
    """`--delimiter , --decimal ,` was refused with the params keys' message (`data.decimal ','
    needs another data.delimiter`): the message names the flag or key that set each."""
    settings = yaml.safe_load((trained.root / "params.yaml").read_text())
    settings["data"].update(params)
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(settings))
    trained.test_rows.head(2).to_csv(tmp_path / "in.csv", index=False)
    files = ["--input", str(tmp_path / "in.csv"), "--output", str(tmp_path / "o.csv")]
    given = [*artifact_args(trained.root)[:-1], str(tmp_path / "params.yaml")]
    with pytest.raises(ChurnError, match=f"^{re.escape(message)}"):
        predict.main([*files, *flags, *given])


def test_without_an_id_column_ids_are_input_row_numbers(trained, tmp_path, capsys):
    """Rejected rows leave gaps in the row numbers: every score points at its input row."""
    rows = trained.test_rows.head(20).drop(columns="customer_id").reset_index(drop=True)
    rows.loc[[2, 13], "tenure_months"] = -5
    rows.to_parquet(tmp_path / "in.parquet")
    files = ["--input", str(tmp_path / "in.parquet"), "--output", str(tmp_path / "o.parquet")]
    summary = run_predict(capsys, *files, "--chunk-size", "8", *artifact_args(trained.root))
    assert summary["rows_scored"] == 18 and summary["rows_rejected"] == 2
    scores = pd.read_parquet(tmp_path / "o.parquet")
    expected_rows = [n for n in range(20) if n not in (2, 13)]
    assert scores["id"].tolist() == [str(n) for n in expected_rows]
    expected = predict_proba(trained.model, transform(rows.iloc[expected_rows], trained.spec))
    np.testing.assert_allclose(scores["churn_probability"], expected, rtol=1e-12)


@pytest.mark.parametrize(
    ("column", "spelt", "role"),
    [("customer_id", "Customer_ID", "id"), ("snapshot_month", "Snapshot Month", "timestamp")],
)
def test_an_id_or_snapshot_column_spelt_otherwise_is_refused_not_ignored(
    trained, tmp_path, column, spelt, role
):
    """An export's 'Customer_ID' was ignored, and every score's id became a row number (exit 0);
    a 'Snapshot Month' made a backfill's customers repeats."""
    rows = trained.test_rows.head(5).rename(columns={column: spelt})
    rows.to_csv(tmp_path / "in.csv", index=False)
    files = ["--input", str(tmp_path / "in.csv"), "--output", str(tmp_path / "o.csv")]
    with pytest.raises(ChurnError) as refused:
        predict.main([*files, *artifact_args(trained.root)])
    assert str(refused.value) == (
        f"{tmp_path / 'in.csv'}: column '{column}' (data.{role}) not found (did you mean "
        f"{spelt!r}? names must match exactly)"
    )
    assert not (tmp_path / "o.csv").exists()


@pytest.mark.parametrize(
    ("key", "value"), [("id", "cust"), ("id", ""), ("target", "orders_90d"), ("timestamp", "")]
)
def test_params_roles_changed_since_training_stop_scoring(trained, tmp_path, key, value):
    """A label, id or timestamp other than the feature spec was built with (params.yaml edited
    since `dvc repro`) is refused by name: an unknown id column made the ids row numbers."""
    params = yaml.safe_load((trained.root / "params.yaml").read_text())
    params["data"][key] = value
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(params))
    trained.test_rows.head(5).to_parquet(tmp_path / "in.parquet")
    files = ["--input", str(tmp_path / "in.parquet"), "--output", str(tmp_path / "o.parquet")]
    artifacts = [*artifact_args(trained.root)[:4], "--params", str(tmp_path / "params.yaml")]
    with pytest.raises(ChurnError, match=r"params.yaml: the label, id and timestamp") as error:
        predict.main([*files, *artifacts])
    assert "'churned', 'customer_id', 'snapshot_month'] that" in str(error.value)
    assert "run `dvc repro`" in str(error.value)
    assert not (tmp_path / "o.parquet").exists()


def test_a_contract_contradicting_params_roles_stops_scoring(trained, tmp_path):
    """As validate refuses it: a contract giving the snapshot column the feature role (edited
    since training) was applied as written, params naming it the timestamp."""
    snapshot = {"role": "feature", "type": "categorical", "nullable": True}
    params = params_with_contract_columns(
        trained.root / "params.yaml", tmp_path, snapshot_month=snapshot
    )
    trained.test_rows.head(5).to_parquet(tmp_path / "in.parquet")
    files = ["--input", str(tmp_path / "in.parquet"), "--output", str(tmp_path / "o.parquet")]
    artifacts = [*artifact_args(trained.root)[:4], "--params", str(params)]
    message = (
        f"{tmp_path / 'contract.yaml'} gives 'snapshot_month' the feature role, params "
        "data.timestamp names it as the timestamp"
    )
    with pytest.raises(ChurnError, match=f"^{re.escape(message)}$"):
        predict.main([*files, *artifacts])
    assert not (tmp_path / "o.parquet").exists()


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_ids_come_back_as_the_input_wrote_them(trained, tmp_path, capsys, suffix):
    """Scores join back to the source table: padding and leading zeros are kept; the padded
    copy of an id already scored is still a repeat."""
    rows = trained.test_rows.head(4).drop(columns="snapshot_month").reset_index(drop=True)
    rows["customer_id"] = [" C1 ", "007", "C3\t", "C1"]
    table = tmp_path / f"in.{suffix}"
    rows.to_csv(table, index=False) if suffix == "csv" else rows.to_parquet(table)
    files = ["--input", str(table), "--output", str(tmp_path / "o.parquet")]
    summary = run_predict(capsys, *files, *artifact_args(trained.root))
    assert summary["rejected_by_reason"] == {"duplicate_id:customer_id": 1}
    assert pd.read_parquet(tmp_path / "o.parquet")["id"].tolist() == [" C1 ", "007", "C3\t"]


@pytest.mark.parametrize("chunk_size", ["4", "100"])
def test_a_repeated_id_is_rejected_whichever_chunk_it_falls_in(
    trained, tmp_path, capsys, chunk_size
):
    rows = trained.test_rows.head(10).drop(columns="snapshot_month").reset_index(drop=True)
    rows.loc[9, "customer_id"] = rows.loc[0, "customer_id"]
    rows.to_csv(tmp_path / "in.csv", index=False)
    files = ["--input", str(tmp_path / "in.csv"), "--output", str(tmp_path / "o.csv")]
    files += ["--rejects", str(tmp_path / "r.csv")]
    summary = run_predict(capsys, *files, "--chunk-size", chunk_size, *artifact_args(trained.root))
    assert summary["rejected_by_reason"] == {"duplicate_id:customer_id": 1}
    assert pd.read_csv(tmp_path / "o.csv")["id"].is_unique
    rejected = pd.read_csv(tmp_path / "r.csv")
    assert rejected["reject_reason"].tolist() == ["duplicate_id:customer_id"]
    assert rejected["customer_id"].tolist() == [rows.loc[0, "customer_id"]]


def test_a_history_file_gets_one_score_per_customer_and_snapshot(trained, tmp_path, capsys):
    """The same customers in two snapshots are not duplicates; the output names the snapshot."""
    may = trained.test_rows.head(3).assign(snapshot_month="2026-05-01")
    june = trained.test_rows.head(3).assign(snapshot_month="2026-06-01")
    pd.concat([may, june]).to_csv(tmp_path / "history.csv", index=False)
    files = ["--input", str(tmp_path / "history.csv"), "--output", str(tmp_path / "o.csv")]
    summary = run_predict(capsys, *files, *artifact_args(trained.root))
    assert summary["rows_scored"] == 6 and summary["rows_rejected"] == 0
    scores = pd.read_csv(tmp_path / "o.csv")
    assert list(scores.columns[:2]) == ["id", "snapshot_month"]
    assert scores["snapshot_month"].tolist() == ["2026-05-01"] * 3 + ["2026-06-01"] * 3
    pd.concat([may, may]).to_csv(tmp_path / "twice.csv", index=False)  # a repeat within one
    files = ["--input", str(tmp_path / "twice.csv"), "--output", str(tmp_path / "o2.csv")]
    summary = run_predict(capsys, *files, *artifact_args(trained.root))
    assert summary["rejected_by_reason"] == {"duplicate_id:customer_id": 3}


def test_spreadsheet_quirks_in_csv_headers_and_values(trained, tmp_path, capsys):
    """Trailing empty columns, quoted values with line breaks, and a header-only file."""
    rows = trained.test_rows.head(5).assign(notes=["a\nb", "x", "line one\r\nline two", "", "z"])
    (tmp_path / "excel.csv").write_text(rows.to_csv(index=False, lineterminator=",,\n"))
    files = ["--input", str(tmp_path / "excel.csv"), "--output", str(tmp_path / "o.csv")]
    summary = run_predict(capsys, *files, *artifact_args(trained.root))
    assert summary["rows_scored"] == 5
    assert {"notes", "Unnamed: 24", "Unnamed: 25"} <= set(summary["ignored_columns"])
    (tmp_path / "header.csv").write_text(rows.head(0).to_csv(index=False))
    files = ["--input", str(tmp_path / "header.csv"), "--output", str(tmp_path / "h.csv")]
    assert run_predict(capsys, *files, *artifact_args(trained.root))["rows_in"] == 0
    assert pd.read_csv(tmp_path / "h.csv").empty


def test_a_repeated_column_name_is_refused_naming_it(trained, tmp_path):
    header, *lines = trained.test_rows.head(3).to_csv(index=False).splitlines()
    (tmp_path / "dup.csv").write_text("\n".join([header.replace("device", "country"), *lines]))
    with pytest.raises(ChurnError, match=r"dup.csv: column 'country' appears more than once"):
        predict.main(["--input", str(tmp_path / "dup.csv"), "--output", str(tmp_path / "o.csv"),
                      *artifact_args(trained.root)])  # fmt: skip


def test_a_few_wrong_typed_values_at_the_end_of_a_file_are_missing_not_a_type_change(
    trained, tmp_path, capsys
):
    """The last chunk of 2 rows holds one word in a number column: that is no type change."""
    rows = trained.test_rows.head(12).astype({"avg_order_value": object}).reset_index(drop=True)
    rows.loc[11, "avg_order_value"] = "unknown"
    rows.to_csv(tmp_path / "in.csv", index=False)
    files = ["--input", str(tmp_path / "in.csv"), "--output", str(tmp_path / "o.csv")]
    summary = run_predict(capsys, *files, "--chunk-size", "10", *artifact_args(trained.root))
    assert summary["rows_scored"] == 12
    assert summary["coerced"] == {"avg_order_value:text_to_missing": 1}


def test_a_small_file_cannot_declare_a_type_change(trained, tmp_path, capsys):
    """One row with a word in a number column is a bad row, not a column of another type: the
    row is rejected (the column is required), the word is kept in the rejects."""
    rows = trained.test_rows.head(1).astype({"sessions_30d": object})
    rows.loc[rows.index[0], "sessions_30d"] = "lots"
    rows.to_csv(tmp_path / "in.csv", index=False)
    files = ["--input", str(tmp_path / "in.csv"), "--output", str(tmp_path / "o.csv")]
    summary = run_predict(capsys, *files, *lenient_args(trained.root, tmp_path))
    assert summary["rejected_by_reason"] == {"type:sessions_30d": 1}
    assert pd.read_csv(tmp_path / "o.rejects.csv")["sessions_30d"].tolist() == ["lots"]


def test_rejects_keep_missing_value_markers_as_the_file_wrote_them(trained, tmp_path, capsys):
    rows = trained.test_rows.head(3).astype({"tenure_months": object}).reset_index(drop=True)
    rows.loc[0, "tenure_months"], rows.loc[1, "tenure_months"] = "NA", "null"
    rows.to_csv(tmp_path / "in.csv", index=False)
    files = ["--input", str(tmp_path / "in.csv"), "--output", str(tmp_path / "o.csv")]
    summary = run_predict(capsys, *files, *lenient_args(trained.root, tmp_path))
    assert summary["rejected_by_reason"] == {"null:tenure_months": 2}
    rejects = pd.read_csv(tmp_path / "o.rejects.csv", keep_default_na=False)
    assert rejects["tenure_months"].tolist() == ["NA", "null"]


def test_outputs_that_would_overwrite_the_input_or_each_other_are_refused(trained, tmp_path):
    trained.test_rows.head(3).to_csv(tmp_path / "in.csv", index=False)
    source = str(tmp_path / "in.csv")
    for output, rejects, message in (
        (source, str(tmp_path / "r.csv"), "--output names an input file"),
        (f"file://{source}", str(tmp_path / "r.csv"), "--output names an input file"),
        (str(tmp_path / "o.csv"), str(tmp_path / "sub/../in.csv"), "--rejects names an input"),
        (str(tmp_path / "o.csv"), str(tmp_path / "o.csv"), "--output and --rejects name the same"),
    ):
        with pytest.raises(ChurnError, match=message):
            predict.main(["--input", source, "--output", output, "--rejects", rejects,
                          *artifact_args(trained.root)])  # fmt: skip
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]
    assert pd.read_csv(source).shape[0] == 3


def test_outputs_that_cannot_be_written_are_refused_before_any_work(trained, tmp_path):
    """A folder where the rejects should go, a file where a folder should be: refused up front,
    so no scores file is published beside a failed rejects file."""
    trained.test_rows.head(3).to_csv(tmp_path / "in.csv", index=False)
    (tmp_path / "folder.csv").mkdir()
    source = str(tmp_path / "in.csv")
    for output, rejects, message in (
        (str(tmp_path / "o.csv"), str(tmp_path / "folder.csv"), "a folder has that name"),
        (f"{source}/o.csv", str(tmp_path / "r.csv"), "in.csv is a file, not a folder"),
    ):
        with pytest.raises(ChurnError, match=message):
            predict.main(["--input", source, "--output", output, "--rejects", rejects,
                          *artifact_args(trained.root)])  # fmt: skip
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder.csv", "in.csv"]


def test_the_fallback_is_used_only_for_an_input_without_rows(trained, tmp_path, capsys):
    """A header longer than any sample is still a header; a missing input is one line; the
    fallback is protected from being overwritten like the input."""
    extra = pd.DataFrame(0, index=range(2), columns=[f"extra_{n:05d}" for n in range(8000)])
    wide = pd.concat([trained.test_rows.head(2).reset_index(drop=True), extra], axis=1)
    wide.to_csv(tmp_path / "wide.csv", index=False)
    trained.test_rows.head(5).to_csv(tmp_path / "fallback.csv", index=False)
    fallback = ["--fallback", str(tmp_path / "fallback.csv"), *artifact_args(trained.root)]
    files = ["--input", str(tmp_path / "wide.csv"), "--output", str(tmp_path / "o.csv")]
    assert run_predict(capsys, *files, *fallback)["rows_in"] == 2
    with pytest.raises(ChurnError, match=r"absent.parquet: no such file$"):
        predict.main(["--input", str(tmp_path / "absent.parquet"), "--output",
                      str(tmp_path / "o2.csv"), *fallback])  # fmt: skip
    with pytest.raises(ChurnError, match="--output names an input file"):
        predict.main(["--input", str(tmp_path / "wide.csv"), "--output",
                      str(tmp_path / "fallback.csv"), *fallback])  # fmt: skip


def test_ids_of_a_dictionary_encoded_parquet_column_keep_their_padding(trained, tmp_path, capsys):
    rows = trained.test_rows.head(2).drop(columns="snapshot_month")
    rows = rows.assign(customer_id=pd.Categorical([" A1", "B2 "]))
    rows.to_parquet(tmp_path / "in.parquet")
    files = ["--input", str(tmp_path / "in.parquet"), "--output", str(tmp_path / "o.parquet")]
    run_predict(capsys, *files, *artifact_args(trained.root))
    assert pd.read_parquet(tmp_path / "o.parquet")["id"].tolist() == [" A1", "B2 "]


def test_an_output_that_cannot_be_written_is_named(trained, tmp_path):
    trained.test_rows.head(3).to_csv(tmp_path / "in.csv", index=False)
    target = "/proc/o.csv"  # no file can be made there, not even by root
    with pytest.raises(ChurnError, match=rf"^{target}: cannot be written \(No such file"):
        predict.main(["--input", str(tmp_path / "in.csv"), "--output", str(target),
                      *artifact_args(trained.root)])  # fmt: skip
    with pytest.raises(ChurnError, match=r"^/proc/summary.json: cannot be written \(No such file"):
        predict.main(["--input", str(tmp_path / "in.csv"), "--output", str(tmp_path / "o.csv"),
                      "--summary", "/proc/summary.json", *artifact_args(trained.root)])  # fmt: skip


def test_a_parquet_boolean_column_where_a_number_belongs_is_refused(trained, tmp_path):
    """Parquet keeps the boolean type: True is not read as a tenure of 1 month."""
    rows = trained.test_rows.head(20).assign(tenure_months=lambda f: f["tenure_months"] > 5)
    rows.to_parquet(tmp_path / "in.parquet")
    message = r"column 'tenure_months' no longer holds numeric values \(20 of 20 rows, e.g. 'True'"
    with pytest.raises(ChurnError, match=message):
        predict.main(["--input", str(tmp_path / "in.parquet"), "--output",
                      str(tmp_path / "o.parquet"), *artifact_args(trained.root)])  # fmt: skip


def test_a_run_that_fails_half_way_leaves_no_output_file(trained, tmp_path):
    """The first chunk is fine, the second stops the run: nothing is left that looks like scores."""
    rows = trained.test_rows.head(60).astype({"tenure_months": object}).reset_index(drop=True)
    rows.loc[30:, "tenure_months"] = "unknown"  # the whole second chunk: the column changed type
    rows.to_csv(tmp_path / "in.csv", index=False)
    with pytest.raises(ChurnError, match="no longer holds numeric values"):
        predict.main(["--input", str(tmp_path / "in.csv"), "--output", str(tmp_path / "o.csv"),
                      "--chunk-size", "30", *artifact_args(trained.root)])  # fmt: skip
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv"]


def test_file_names_decide_the_format_and_other_names_are_refused(trained, tmp_path, capsys):
    trained.test_rows.head(3).to_csv(tmp_path / "in.tsv", sep="\t", index=False)
    files = ["--input", str(tmp_path / "in.tsv"), "--output", str(tmp_path / "o.tsv.gz")]
    assert run_predict(capsys, *files, *artifact_args(trained.root))["rows_scored"] == 3
    assert pd.read_csv(tmp_path / "o.tsv.gz", sep="\t").shape == (3, 5)
    assert (tmp_path / "o.rejects.tsv.gz").exists()  # the rejects file follows the output's name
    for source, target, bad in (("in.txt", "o.csv", "in.txt"), ("in.tsv", "o.txt", "o.txt")):
        with pytest.raises(ChurnError, match=rf"{bad}: not a CSV or Parquet file name"):
            predict.main(["--input", str(tmp_path / source), "--output", str(tmp_path / target),
                          *artifact_args(trained.root)])  # fmt: skip


@pytest.mark.parametrize("encoding", ["utf-16", "latin-1"])
def test_csv_in_another_encoding_is_refused_in_one_line(trained, tmp_path, encoding):
    rows = trained.test_rows.head(3).assign(country="Österreich")
    rows.to_csv(tmp_path / "in.csv", index=False, encoding=encoding)
    result = predict_cli(trained, tmp_path / "in.csv", tmp_path / "o.csv")
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"churn.predict: error: {tmp_path / 'in.csv'}: ")
    assert line.endswith("save it as UTF-8")


def test_column_names_in_another_spelling_are_pointed_out_and_never_imputed(trained, tmp_path):
    """Upper-case names: the error names every missing column and the first near misses;
    imputing 20 of 23 columns is refused."""
    rows = trained.test_rows.head(5)
    rows.rename(columns=str.upper).to_csv(tmp_path / "upper.csv", index=False)
    files = ["--input", str(tmp_path / "upper.csv"), "--output", str(tmp_path / "o.csv")]
    with pytest.raises(ChurnError) as refused:
        predict.main([*files, *artifact_args(trained.root)])
    message = str(refused.value)
    assert message.startswith(
        f"{tmp_path / 'upper.csv'}: 20 of the contract's 23 columns are missing from the data "
        "(contract.missing_column: fail): 'tenure_months', 'age_band', "
    )
    assert message.endswith(
        "'email_open_rate', 'delivery_delay_days_avg', 'satisfaction_score'; the data has "
        "'TENURE_MONTHS' for 'tenure_months', "
        "'AGE_BAND' for 'age_band', 'COUNTRY' for 'country', ... (20 in all): names must match "
        "exactly"
    )
    with pytest.raises(ChurnError, match="imputing them all would score every row alike"):
        predict.main([*files, "--missing-columns", "impute", *artifact_args(trained.root)])
    assert not (tmp_path / "o.csv").exists()


@pytest.mark.parametrize(
    ("column", "given", "expected"),
    [
        ("tenure_months", "tenure\u200bmonths", "column 'tenure_months' of the contract is "
         "missing from the data (contract.missing_column: fail); the data has "
         "'tenure\\u200bmonths': names must match exactly"),
        ("customer_id", "\u200dcustomer_id", "column 'customer_id' (data.id) not found "
         "(did you mean '\\u200dcustomer_id'? names must match exactly)"),
    ],
)  # fmt: skip
def test_invisible_characters_in_a_column_name_are_pointed_out_as_in_the_api(
    trained, tmp_path, column, given, expected
):
    """A zero-width character in the header: the column was missing, the hint silent (or the
    id column ignored, every id a row number); the API names such a field too. A BOM opening
    the file is its encoding's mark, read as none."""
    rows = trained.test_rows.head(5).drop(columns="churned").rename(columns={column: given})
    rows.to_csv(tmp_path / "in.csv", index=False, encoding="utf-8-sig")
    files = ["--input", str(tmp_path / "in.csv"), "--output", str(tmp_path / "o.csv")]
    with pytest.raises(ChurnError) as refused:
        predict.main([*files, *artifact_args(trained.root)])
    assert str(refused.value) == f"{tmp_path / 'in.csv'}: {expected}"


def test_imputing_most_features_is_refused_whatever_the_id_snapshot_and_label(trained, tmp_path):
    """The share counted id, snapshot and label as contract columns: 11 of 20 features missing
    was 11 of 23 columns, under half, and every row was scored on imputed inputs."""
    contract = yaml.safe_load((REPO / "contracts" / "churn.yaml").read_text())["columns"]
    features = [name for name, spec in contract.items() if spec["role"] == "feature"]
    dropped = [name for name in features if name in trained.test_rows][: len(features) // 2 + 1]
    trained.test_rows.head(5).drop(columns=dropped).to_csv(tmp_path / "in.csv", index=False)
    files = ["--input", str(tmp_path / "in.csv"), "--output", str(tmp_path / "o.csv")]
    expected = f"{len(dropped)} of {len(features)} contract feature columns are missing"
    with pytest.raises(ChurnError, match=expected):
        predict.main([*files, "--missing-columns", "impute", *artifact_args(trained.root)])


def test_the_fallback_is_scored_when_the_input_has_no_rows(trained, tmp_path, capsys):
    """The score stage: the unlabelled newest snapshot, or the test month when there is none."""
    trained.test_rows.head(0).to_parquet(tmp_path / "unlabelled.parquet")
    trained.test_rows.head(4).to_parquet(tmp_path / "test.parquet")
    files = ["--input", str(tmp_path / "unlabelled.parquet"), "--output", str(tmp_path / "o.csv")]
    fallback = ["--fallback", str(tmp_path / "test.parquet")]
    assert run_predict(capsys, *files, *fallback, *artifact_args(trained.root))["rows_in"] == 4
    trained.test_rows.head(2).to_parquet(tmp_path / "unlabelled.parquet")
    assert run_predict(capsys, *files, *fallback, *artifact_args(trained.root))["rows_in"] == 2


def test_too_many_rejected_rows_stop_scoring_as_they_stop_validate(trained, tmp_path, capsys):
    """contract.max_quarantined was applied by validate only: a batch whose rows were nearly all
    rejected was scored, exit 0. The outputs are still written, to be inspected."""
    rows = trained.test_rows.head(40).copy()
    rows.loc[rows.index[:30], "tenure_months"] = -5  # below the contract's min
    rows.to_csv(tmp_path / "in.csv", index=False)
    files = ["--input", str(tmp_path / "in.csv"), "--output", str(tmp_path / "o.csv")]
    expected = (
        f"{tmp_path / 'in.csv'}: 30 of 40 rows rejected, more than contract.max_quarantined "
        f"(50%); most for below_min:tenure_months (30); see {tmp_path / 'o.rejects.csv'}"
    )
    with pytest.raises(ChurnError, match=re.escape(expected) + "$"):
        predict.main([*files, *artifact_args(trained.root)])
    assert len(pd.read_csv(tmp_path / "o.rejects.csv")) == 30
    assert len(pd.read_csv(tmp_path / "o.csv")) == 10
    params = yaml.safe_load((trained.root / "params.yaml").read_text())
    params["contract"]["max_quarantined"] = 0.8
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(params))
    lenient = [*artifact_args(trained.root)[:-1], str(tmp_path / "params.yaml")]
    assert run_predict(capsys, *files, *lenient)["rows_rejected"] == 30


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_a_file_without_rows_gives_the_outputs_of_a_file_with_rows(trained, tmp_path, suffix):
    """A header-only CSV (or 0-row Parquet) gave scores without the snapshot column and rejects
    with reject_reason only, and listed no ignored column: appending such a run's outputs to
    another's broke."""
    summaries, schemas = [], []
    for rows in (3, 0):
        source, output = tmp_path / f"in{rows}.{suffix}", tmp_path / f"o{rows}.parquet"
        frame = trained.test_rows.head(rows)
        frame.to_csv(source, index=False) if suffix == "csv" else frame.to_parquet(source)
        summaries.append(run_predict_quietly(["--input", str(source), "--output", str(output),
                                              *artifact_args(trained.root)]))  # fmt: skip
        rejects = output.with_name(f"o{rows}.rejects.parquet")
        schemas.append([pq.read_schema(path).names for path in (output, rejects)])
    assert schemas[1] == schemas[0]
    assert "snapshot_month" in schemas[1][0]
    assert summaries[1]["ignored_columns"] == summaries[0]["ignored_columns"] != []
    assert summaries[1]["rows_in"] == 0


def test_an_empty_file_is_an_error_not_an_input_without_rows(trained, tmp_path):
    """A 0-byte CSV (a failed export) was refused alone, yet with --fallback read as "no rows":
    last month's file was scored again, exit 0."""
    (tmp_path / "empty.csv").write_bytes(b"")
    trained.test_rows.head(4).to_parquet(tmp_path / "test.parquet")
    files = ["--input", str(tmp_path / "empty.csv"), "--output", str(tmp_path / "o.csv")]
    for fallback in ([], ["--fallback", str(tmp_path / "test.parquet")]):
        with pytest.raises(ChurnError, match=r"empty.csv: cannot be read \(Empty CSV file\)$"):
            predict.main([*files, *fallback, *artifact_args(trained.root)])
    assert not (tmp_path / "o.csv").exists()


def test_a_folder_as_input_or_fallback_is_named_as_a_folder(trained, tmp_path):
    (tmp_path / "d.csv").mkdir()
    trained.test_rows.head(2).to_csv(tmp_path / "in.csv", index=False)
    output = ["--output", str(tmp_path / "o.csv"), *artifact_args(trained.root)]
    for inputs in (
        ["--input", str(tmp_path / "d.csv")],
        ["--input", str(tmp_path / "in.csv"), "--fallback", str(tmp_path / "d.csv")],
    ):
        with pytest.raises(ChurnError, match=r"d.csv: a folder, not a file$"):  # was "[Errno 21]"
            predict.main([*inputs, *output])


def test_columns_the_model_does_not_read_are_listed_not_checked(
    trained, tmp_path, capsys, monkeypatch
):
    """Checks cost per column: a 2-row export with 8,000 extra columns took a minute when every
    extra column was type-checked. Only the columns scoring reads are; the rest are listed."""
    checked, check = [], contract_columns.check_new_column
    monkeypatch.setattr(
        contract_columns,
        "check_new_column",
        lambda raw, name, *rest: checked.append(name) or check(raw, name, *rest),
    )
    rows = trained.test_rows.head(3).assign(extra_number=1, extra_text="x")
    rows.to_csv(tmp_path / "in.csv", index=False)
    files = ["--input", str(tmp_path / "in.csv"), "--output", str(tmp_path / "o.csv")]
    summary = run_predict(capsys, *files, *artifact_args(trained.root))
    assert summary["rows_scored"] == 3
    assert {"extra_number", "extra_text"} <= set(summary["ignored_columns"])
    assert not {"extra_number", "extra_text"} & set(checked)


def test_a_contract_column_the_model_does_not_read_is_not_needed_to_score(
    trained, tmp_path, capsys
):
    """As a column featurize left out (constant in training): a batch without it used to stop
    with 'column ... of the contract is missing' (contract.missing_column: fail)."""
    params = params_with_an_unread_contract_column(trained.root / "params.yaml", tmp_path)
    trained.test_rows.head(30).to_parquet(tmp_path / "in.parquet")
    files = ["--input", str(tmp_path / "in.parquet"), "--output", str(tmp_path / "o.parquet")]
    artifacts = [*artifact_args(trained.root)[:4], "--params", str(params)]
    summary = run_predict(capsys, *files, *artifacts)
    assert summary["rows_scored"] == 30 and summary["imputed_columns"] == []
    assert "loyalty_points" not in pd.read_parquet(tmp_path / "o.parquet").columns


@pytest.mark.parametrize(
    "dates", [["2024-12-02"] * 29 + ["soon"], ["02/12/2024"] * 30], ids=["unreadable", "ambiguous"]
)
def test_a_contract_column_the_model_does_not_read_is_not_checked_either(
    trained, tmp_path, capsys, dates
):
    """A date column featurize left out is ignored, as the API ignores the field: an unreadable
    date in it rejected the row (type:signup_date) while the summary listed the column as
    ignored, and dates that read day or month first stopped the batch."""
    column = {"role": "feature", "type": "datetime", "nullable": False}
    params = params_with_contract_columns(
        trained.root / "params.yaml", tmp_path, signup_date=column
    )
    trained.test_rows.head(30).assign(signup_date=dates).to_csv(tmp_path / "in.csv", index=False)
    files = ["--input", str(tmp_path / "in.csv"), "--output", str(tmp_path / "o.csv")]
    summary = run_predict(capsys, *files, *artifact_args(trained.root)[:4], "--params", str(params))
    assert summary["rows_scored"] == 30 and summary["rejected_by_reason"] == {}
    assert "signup_date" in summary["ignored_columns"]


def test_every_score_carries_the_version_of_the_model_file_that_made_it(trained, tmp_path, capsys):
    """model_version is the revision and the md5 dvc.lock records for the model file, in the
    summary and on every row of the scores, so a score can be traced to its model; the summary
    counts the decisions over every chunk."""
    trained.test_rows.head(200).to_parquet(tmp_path / "in.parquet")
    files = ["--input", str(tmp_path / "in.parquet"), "--output", str(tmp_path / "out.parquet")]
    summary = run_predict(capsys, *files, "--chunk-size", "64", *artifact_args(trained.root))
    md5 = hashlib.md5((trained.root / "model.json").read_bytes()).hexdigest()
    assert summary["model_version"] == f"workspace+md5:{md5}"
    scores = pd.read_parquet(tmp_path / "out.parquet")
    assert len(scores) == 200 and set(scores["model_version"]) == {summary["model_version"]}
    decisions = int(scores["churn_decision"].sum())
    assert decisions > 4 and summary["churn_decisions"] == decisions
