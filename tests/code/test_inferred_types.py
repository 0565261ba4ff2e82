"""`python -m churn.contract infer` on flag and date columns as exports write them: the contract
it gives is one validate then applies to the same files without surprises (no stop on the very
data it came from, no value silently missing, no column of dates as categories)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

from churn.contract import main as contract_main
from churn.contract_spec import Contract
from churn.errors import ChurnError
from churn.inferred_types import infer_type
from churn.ingest import main as ingest_main
from churn.validate import main as validate_main
from tests.helpers import REPO

SPELLINGS = {"01": ("yes", "no"), "02": ("Y", "N"), "03": ("true", "false"), "04": ("1", "0")}
OUTPUTS = ("valid-out", "unlabelled-out", "quarantine-out", "metrics", "schema", "contract-out")


def exports(folder: Path, signup: list[str]) -> Path:
    """exports/m<MM>.csv, one month per flag spelling of SPELLINGS (20 customers each, the
    signup dates given), and a params file for them."""
    (folder / "exports").mkdir()
    for month, (yes, no) in SPELLINGS.items():
        rows = {"customer_id": [f"c{month}{k:02d}" for k in range(20)], "month": f"2026-{month}-01",
                "promo": [yes, no] * 10, "signup": signup, "churned": [0, 0, 1, 1] * 5}  # fmt: skip
        pd.DataFrame(rows).to_csv(folder / "exports" / f"m{month}.csv", index=False)
    params = yaml.safe_load((REPO / "params.yaml").read_text())
    params["data"].update(target="churned", id="customer_id", timestamp="month", contract="")
    (folder / "params.yaml").write_text(yaml.safe_dump(params))
    return folder / "params.yaml"


def infer_and_validate(folder: Path, params: Path, capsys) -> tuple[Contract, pd.DataFrame, dict]:
    """The contract infer writes for the exports, and validate's valid rows and metrics when
    it applies that contract to them."""
    contract_main(["infer", str(folder / "exports"), "--params", str(params)])
    (folder / "contract.yaml").write_text(capsys.readouterr().out)
    ingest_main(["--source", "exports", "--params", str(params), "--out", "in.parquet"])
    outs = [arg for name in OUTPUTS for arg in (f"--{name}", f"out/{name}")]
    validate_main(["--input", "in.parquet", "--contract", "contract.yaml", *outs])
    valid = pd.read_parquet(folder / "out" / "valid-out")
    return (
        Contract.from_yaml((folder / "contract.yaml").read_text()),
        valid,
        json.loads((folder / "out" / "metrics").read_text()),
    )


def test_a_flag_written_four_ways_is_a_flag_validate_reads_in_every_month(
    tmp_path, monkeypatch, capsys
):
    """yes/no, Y/N, true/false and 0/1 months: inferred numeric 0..1 (the words, half the rows,
    named as text in a number column), so validate stopped on the data the contract came from:
    column 'promo' no longer holds numeric values in snapshot 2026-01-01."""
    monkeypatch.chdir(tmp_path)
    params = exports(tmp_path, ["2025-06-15"] * 20)
    contract, valid, counts = infer_and_validate(tmp_path, params, capsys)
    assert contract.column("promo").type == "boolean"
    assert counts["rows_valid"] == 80 and counts["coerced"] == {}
    assert valid["promo"].tolist() == [1.0, 0.0] * 40


def test_dates_written_iso_and_day_first_are_dates_validate_reads(tmp_path, monkeypatch, capsys):
    """A signup column of 2025-06-15 and 15/06/2025: only all-ISO text was inferred as dates, so
    the column became categories (one level per date, featurize one-hot encoded it)."""
    monkeypatch.chdir(tmp_path)
    signup = [f"2025-06-{day:02d}" if day % 2 else f"{day:02d}/06/2025" for day in range(1, 21)]
    contract, valid, counts = infer_and_validate(tmp_path, exports(tmp_path, signup), capsys)
    assert contract.column("signup").type == "datetime"
    assert counts["rows_valid"] == 80 and counts["coerced"] == {}
    expected = pd.date_range("2025-06-01", "2025-06-20").tolist() * 4
    assert valid.sort_values(["month", "customer_id"])["signup"].tolist() == expected


def test_dates_that_read_either_way_stop_inference_naming_the_column(tmp_path, capsys):
    """2025-06-15 beside 05/06/2025 (June or May?): typed as categories without a word."""
    signup = ["2025-06-15", "05/06/2025"] * 10
    params = exports(tmp_path, signup)
    with pytest.raises(ChurnError, match="column 'signup': dates such as '05/06/2025' read either"):
        contract_main(["infer", str(tmp_path / "exports"), "--params", str(params)])


def test_version_numbers_shaped_like_short_dates_stay_categories():
    """Only day/month/4-digit-year text is read as dates: app versions such as 3.12.05 stopped
    inference as dates that read either day or month first."""
    versions = pd.Series(["3.12.05", "1.2.10", "3.12.05"], dtype=object)
    assert infer_type(versions, "app_version") == "categorical"
