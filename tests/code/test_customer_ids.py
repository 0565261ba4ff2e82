"""Ids are text, one customer per id however a file typed or spelt it: ingest stacks ids of
int64, float64 and text files without losing a digit, and validate, split and scoring read
"100001.0" as "100001" (churn.customer_ids)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from churn import ingest, split, validate
from churn.customer_ids import customer_ids, ids_as_text
from churn.request_model import id_text
from tests.helpers import REPO

BIG = 1234567890123456000  # 19 digits: float64 cannot hold 1234567890123456001
CUSTOMERS = 200


def month(at: int, ids) -> pd.DataFrame:
    """One monthly snapshot of CUSTOMERS customers, labels half and half."""
    rng = np.random.default_rng(at)
    return pd.DataFrame(
        {
            "customer_id": ids,
            "snapshot_month": f"2026-0{at + 1}-01",
            "tenure": rng.integers(0, 50, CUSTOMERS),
            "churned": np.arange(CUSTOMERS) % 2,
        }
    )


def own_data_params(folder: Path, source: Path) -> list[str]:
    """--params for the own-data recipe: an inferred contract, the source folder."""
    params = yaml.safe_load((REPO / "params.yaml").read_text())
    params["data"].update(target="churned", id="customer_id", timestamp="snapshot_month")
    params["data"].update(contract="", positive_label=1)
    params["ingest"]["source"] = str(source)
    (folder / "params.yaml").write_text(yaml.safe_dump(params))
    return ["--params", str(folder / "params.yaml")]


def run_stages(folder: Path, source: Path) -> dict[str, pd.DataFrame]:
    """ingest, validate and split through their main(); the tables they write."""
    params = own_data_params(folder, source)
    out = {name: str(folder / f"{name}.parquet") for name in ("ingested", "valid", "q", "u")}
    ingest.main(["--source", str(source), "--out", out["ingested"], *params])
    validate.main(
        [*["--input", out["ingested"], "--contract", "", "--valid-out", out["valid"]],
         *["--quarantine-out", out["q"], "--unlabelled-out", out["u"]],
         *["--metrics", str(folder / "v.json"), "--schema", str(folder / "s.json"), *params],
         *["--contract-out", str(folder / "contract.yaml")]]
    )  # fmt: skip
    split.main(["--input", out["valid"], "--out-dir", str(folder / "split"), *params])
    tables = {name: pd.read_parquet(path) for name, path in out.items()}
    for name in ("train", "valid", "test"):
        tables[f"split_{name}"] = pd.read_parquet(folder / "split" / f"{name}.parquet")
    return tables


def test_ids_of_int64_and_float64_parquet_files_stack_as_text_without_merging(tmp_path):
    """A float64 month (pandas' type for an int column with a gap) made ingest cast every file's
    ids to float64: 19-digit ids collapsed into a few, and 100001 became 100001.0."""
    source = tmp_path / "exports"
    source.mkdir()
    big = np.arange(BIG, BIG + CUSTOMERS, dtype=np.int64)
    month(0, big).to_parquet(source / "m0.parquet")
    small = pd.Series(np.arange(100001, 100001 + CUSTOMERS), dtype="float64")
    month(1, small.mask(small.eq(100002))).to_parquet(source / "m1.parquet")  # one gap
    month(2, big).to_parquet(source / "m2.parquet")
    tables = run_stages(tmp_path, source)
    ids = tables["ingested"]["customer_id"]
    assert pd.api.types.is_string_dtype(ids)
    assert ids[:CUSTOMERS].tolist() == [str(BIG + k) for k in range(CUSTOMERS)]
    assert ids[CUSTOMERS : CUSTOMERS + 3].tolist()[::2] == ["100001", "100003"]
    assert ids[CUSTOMERS + 1 : CUSTOMERS + 2].isna().all()
    assert len(tables["q"]) == 1  # the row without an id, and no duplicate_id
    assert tables["q"]["reject_reason"].tolist() == ["null:customer_id"]


def test_float_ids_too_large_for_their_digits_are_named_by_ingest(tmp_path, capsys):
    """Ids a float64 file holds above 2**53 may have merged before ingest read them: said in
    one line naming the file, not only counted as duplicates by validate."""
    source = tmp_path / "exports"
    source.mkdir()
    month(0, np.arange(BIG, BIG + CUSTOMERS, dtype=np.int64)).to_parquet(source / "m0.parquet")
    floats = np.arange(BIG, BIG + CUSTOMERS, dtype=np.int64).astype("float64")
    month(1, floats).to_parquet(source / "m1.parquet")
    params = own_data_params(tmp_path, source)
    ingest.main(["--source", str(source), "--out", str(tmp_path / "i.parquet"), *params])
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("ingest: warning: column 'customer_id' (data.id) holds ids as")
    assert "in 1 file(s): " in lines[0] and "m1.parquet (200 ids, e.g. 12345678901234" in lines[0]


def test_a_csv_month_writing_ids_as_floats_keeps_each_customer_in_one_split(tmp_path):
    """pandas writes an int id column with a gap as 100001.0: that month's customers were other
    customers than the same ids in the other months, and landed in train and valid both."""
    source = tmp_path / "exports"
    source.mkdir()
    ids = pd.Series(np.arange(100001, 100001 + CUSTOMERS))
    for at in range(4):
        month(at, ids.astype("float64") if at == 1 else ids).to_csv(
            source / f"m{at}.csv", index=False
        )
    assert (source / "m1.csv").read_text().splitlines()[1].startswith("100001.0,")
    tables = run_stages(tmp_path, source)
    assert tables["ingested"]["customer_id"].nunique() == 2 * CUSTOMERS  # read verbatim
    assert tables["valid"]["customer_id"].nunique() == CUSTOMERS
    assert len(tables["q"]) == 0
    train, valid = (
        set(tables["split_train"]["customer_id"]),
        set(tables["split_valid"]["customer_id"]),
    )
    assert train and valid and not train & valid
    assert train | valid == {str(at) for at in ids}


@pytest.mark.parametrize(
    ("written", "customer"),
    [
        ("100001.0", "100001"),
        ("100001.00", "100001"),
        (" 100001 ", "100001"),
        (100001.0, "100001"),
        (100001, "100001"),
        ("0", "0"),
        ("0.0", "0"),
        ("-7.0", "-7"),
        ("0012", "0012"),  # leading zeros: not the number 12
        ("0012.0", "0012.0"),
        ("12.5", "12.5"),
        ("C-12.5", "C-12.5"),
        (" C1 ", "C1"),
        ("C1.0", "C1.0"),
        ("1e5", "1e5"),
        ("+5.0", "+5.0"),
        ("12.", "12."),
        ("NA", None),
        ("", None),
        (float(BIG + 1), str(BIG)),  # what the float holds
        (BIG + 1, str(BIG + 1)),
    ],
)
def test_an_integer_written_with_a_zero_fraction_is_the_integer_and_nothing_else_changes(
    written, customer
):
    found = customer_ids(pd.Series([written], dtype=object)).tolist()[0]
    assert (None if pd.isna(found) else found) == customer
    if isinstance(written, float | int):  # the API spells numbers as ingest does
        assert id_text(written) == ids_as_text(pd.Series([written])).tolist()[0]


def test_ingest_keeps_text_ids_as_written_and_spells_numbers_as_integers():
    text = pd.Series([" C1 ", "007", "100001.0", None])
    assert ids_as_text(text) is text
    assert ids_as_text(pd.Series([2**63 + 5, 12], dtype="uint64")).tolist() == [
        "9223372036854775813",
        "12",
    ]
    assert ids_as_text(pd.Series(["a", 3.0, 4], dtype=object)).tolist() == ["a", "3", "4"]
