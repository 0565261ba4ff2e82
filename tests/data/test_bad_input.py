"""A corpus of malformed and surprising inputs, each run through the real ingest and validate
CLIs: the pipeline either continues as the policy says and counts every row, or stops with one
clear line naming the file, column and problem, a non-zero exit and no traceback."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
import yaml

from churn.generate import VIDEO_COLUMN, generate_snapshots
from churn.params import GenerateParams
from tests.fork_server import Step, run_forked
from tests.helpers import REPO

ROWS = 40  # rows per file: small files keep the corpus fast
ID = "customer_id"


@pytest.fixture(scope="module")
def clean() -> pd.DataFrame:
    """A small clean snapshot in the shape of data/raw, without the late column."""
    snapshots = generate_snapshots(GenerateParams(100, 1, "2026-01", 1, 5, 11))
    frame = next(iter(snapshots.values())).head(ROWS).reset_index(drop=True)
    return frame.drop(columns=[VIDEO_COLUMN], errors="ignore")


def csv(frame: pd.DataFrame, **options) -> bytes:
    return frame.to_csv(index=False, **options).encode()


def parquet(frame: pd.DataFrame, path: Path) -> bytes:
    frame.to_parquet(path)
    return path.read_bytes()


def with_values(column: str, values: Callable[[pd.Series], list]) -> Callable:
    return lambda f: f.assign(**{column: values(f[column])})


def every_other(value: object) -> Callable[[pd.Series], list]:
    return lambda s: [value if i % 2 else v for i, v in enumerate(s)]


# name: (files {name: frame -> bytes}, params changes, expected)
# expected: ("ok", rows_in or None, check on (validation, schema)) or ("fail", stderr fragments)
CASES: dict[str, tuple] = {
    "empty file": ({"a.csv": lambda f: b""}, {}, ("fail", ["a.csv: file is empty"])),
    "header only": (
        {"a.csv": lambda f: csv(f.head(0))},
        {},
        ("fail", ["a.csv: no data rows"]),
    ),
    "missing target column": (
        {"a.csv": lambda f: csv(f.drop(columns=["churned"]))},
        {},
        ("fail", ["column 'churned' (data.target) not found"]),
    ),
    "target with unknown labels": (
        {"a.csv": lambda f: csv(with_values("churned", every_other("maybe"))(f))},
        {},
        ("ok", ROWS, lambda v, s: v["quarantined_by_reason"] == {"invalid_label:churned": 20}),
    ),
    "all-missing column": (
        {"a.csv": lambda f: csv(f.assign(satisfaction_score=None))},
        {},
        ("ok", ROWS, lambda v, s: v["rows_valid"] == ROWS),
    ),
    "all-missing required column": (
        {"a.csv": lambda f: csv(f.assign(orders_30d=None))},
        {},
        ("fail", ["no valid rows (all 40 quarantined"]),
    ),
    "numeric column with text": (
        {
            "a.csv": lambda f: csv(
                with_values("avg_order_value", every_other("unknown"))(f.head(10))
            )
        },
        {},
        ("ok", 10, lambda v, s: v["coerced"]["avg_order_value"] == {"text_to_missing": 5}),
    ),
    "thousands separators": (
        {"a.csv": lambda f: csv(with_values("sessions_30d", lambda s: ["1,234"] * len(s))(f))},
        {},
        ("ok", ROWS, lambda v, s: v["coerced"]["sessions_30d"] == {"thousands_separator": ROWS}),
    ),
    "wrong delimiter": (
        {"a.csv": lambda f: csv(f, sep=";")},
        {"data.delimiter": ","},
        ("fail", ["a.csv: one column only; wrong delimiter?"]),
    ),
    "semicolon-separated, delimiter sniffed": (
        {"a.csv": lambda f: csv(f, sep=";")},
        {},
        ("ok", ROWS, lambda v, s: v["rows_valid"] == ROWS and not v["coerced"]),
    ),
    "European CSV: semicolons and decimal commas": (
        {"a.csv": lambda f: csv(f, sep=";", decimal=",")},
        {"data.decimal": ","},
        ("ok", ROWS, lambda v, s: v["rows_valid"] == ROWS and not v["coerced"]),
    ),
    "decimal commas without data.decimal": (
        {"a.csv": lambda f: csv(f, sep=";", decimal=",")},
        {},
        ("fail", ["no longer holds numeric values", "decimal commas? set data.decimal: ','"]),
    ),
    "Excel CSV: byte order mark and CRLF line ends": (
        {"a.csv": lambda f: b"\xef\xbb\xbf" + csv(f, lineterminator="\r\n")},
        {},
        ("ok", ROWS, lambda v, s: v["rows_valid"] == ROWS and not v["coerced"]),
    ),
    "duplicated ids": (
        {"a.csv": lambda f: csv(pd.concat([f, f.head(3)]))},
        {},
        (
            "ok",
            ROWS + 3,
            lambda v, s: v["quarantined_by_reason"] == {"duplicate_id:customer_id": 3},
        ),
    ),
    "duplicated header line": (  # files joined: was quarantined as invalid_label
        {
            "a.csv": lambda f: (
                csv(f) + ",".join(f.columns).encode() + b"\n" + csv(f.tail(2), header=False)
            )
        },
        {},
        ("fail", [f"a.csv: line {ROWS + 2} repeats the header: files joined with their headers?"]),
    ),
    "duplicated column name": (  # refused as batch scoring refuses it, not renamed country.1
        {"a.csv": lambda f: csv(f).replace(b",device,", b",country,", 1)},
        {},
        ("fail", ["a.csv: column 'country' appears more than once in the header"]),
    ),
    "unseen categories": (
        {"a.csv": lambda f: csv(with_values("country", every_other("US"))(f))},
        {},
        ("ok", ROWS, lambda v, s: s["new_categories"] == {"country": ["US"]}),
    ),
    "extreme outliers": (
        {"a.csv": lambda f: csv(with_values("tenure_months", every_other(10**9))(f))},
        {},
        ("ok", ROWS, lambda v, s: v["quarantined_by_reason"] == {"above_max:tenure_months": 20}),
    ),
    "renamed column": (
        {"a.csv": lambda f: csv(f.rename(columns={"orders_30d": "orders_last_30d"}))},
        {},
        ("fail", ["column 'orders_30d' of the contract is missing", "missing_column: fail"]),
    ),
    "renamed column, impute policy": (
        {"a.csv": lambda f: csv(f.rename(columns={"orders_30d": "orders_last_30d"}))},
        {"contract.missing_column": "impute"},
        ("ok", ROWS, lambda v, s: s["missing"] == ["orders_30d"] and s["added"] != []),
    ),
    "added column": (
        {"a.csv": lambda f: csv(f.assign(loyalty_points=7))},
        {},
        ("ok", ROWS, lambda v, s: s["added"] == ["loyalty_points"]),
    ),
    "added column, fail policy": (
        {"a.csv": lambda f: csv(f.assign(loyalty_points=7))},
        {"contract.new_column": "fail"},
        ("fail", ["column 'loyalty_points' is not in the contract"]),
    ),
    "dropped column": (
        {"a.csv": lambda f: csv(f.drop(columns=["device"]))},
        {},
        ("fail", ["column 'device' of the contract is missing"]),
    ),
    "mixed types across files": (
        {
            "a.csv": lambda f: csv(f.head(20)),
            "b.csv": lambda f: csv(with_values("app_installed", every_other("yes"))(f.tail(20))),
        },
        {},
        ("ok", ROWS, lambda v, s: v["rows_valid"] == ROWS),
    ),
    "column changed type": (
        {"a.csv": lambda f: csv(with_values("orders_90d", lambda s: ["many"] * len(s))(f))},
        {},
        ("fail", ["column 'orders_90d' no longer holds numeric values"]),
    ),
    "column changed type, quarantine policy": (
        {"a.csv": lambda f: csv(with_values("orders_90d", lambda s: ["many"] * len(s))(f))},
        {"contract.type_change": "quarantine"},
        ("fail", ["no valid rows (all 40 quarantined"]),
    ),
    "non-UTF-8 bytes": (
        {"a.csv": lambda f: csv(f).replace(b"mobile", b"mob\xefle", 1)},
        {},
        ("fail", ["a.csv: not UTF-8 text"]),
    ),
    "truncated Parquet": (
        {"a.parquet": lambda f: parquet(f, Path(f.attrs["tmp"]) / "x.parquet")[:300]},
        {},
        ("fail", ["a.parquet: cannot be parsed"]),
    ),
    "CSV with a trailing partial line": (  # was padded and quarantined; what followed was lost
        {"a.csv": lambda f: csv(f)[:-40]},
        {},
        ("fail", ["a.csv: the last line holds ", "the file was cut short"]),
    ),
    "Yes/No labels, inferred contract": (
        {"a.csv": lambda f: csv(f.assign(churned=f["churned"].map({1: "Yes", 0: "No"})))},
        {"data.positive_label": "Yes", "data.contract": ""},
        ("ok", ROWS, lambda v, s: v["rows_valid"] == ROWS),
    ),
    "most rows break the contract": (
        {"a.csv": lambda f: csv(with_values("tenure_months", lambda s: [-1] * 30 + [3] * 10)(f))},
        {},
        (
            "fail",
            [
                "30 of 40 rows quarantined, more than contract.max_quarantined (50%)",
                "most for below_min:tenure_months (30)",
            ],
        ),
    ),
    "most rows quarantined, within a raised limit": (
        {"a.csv": lambda f: csv(with_values("tenure_months", lambda s: [-1] * 30 + [3] * 10)(f))},
        {"contract.max_quarantined": 0.8},
        ("ok", ROWS, lambda v, s: v["rows_valid"] == 10),
    ),
    "source path that does not exist": ({}, {}, ("fail", ["raw: no such file or folder"])),
    "data.timestamp names a column the data lacks": (
        {"a.csv": csv},
        {"data.timestamp": "snapshot_mnth"},
        (
            "fail",
            [
                "customers.parquet: column 'snapshot_mnth' (data.timestamp) not found",
                "(did you mean 'snapshot_month'?)",
            ],
        ),
    ),
    "data.id names a column the data lacks": (
        {"a.csv": csv},
        {"data.id": "customerid"},
        (
            "fail",
            [
                "column 'customerid' (data.id) not found",
                "(did you mean 'customer_id'? names must match exactly)",
            ],
        ),
    ),
    "no id column (data.id empty, no contract: inferred)": (
        {"a.csv": lambda f: csv(f.drop(columns=ID))},
        {"data.id": "", "data.contract": ""},
        ("ok", ROWS, lambda v, s: v["rows_valid"] == ROWS),
    ),
    "data.id empty while the data has the contract's id column": (
        {"a.csv": csv},
        {"data.id": ""},
        (
            "fail",
            [
                "gives the id role to 'customer_id', which the data has, and params data.id is "
                "empty: set data.id: customer_id"
            ],
        ),
    ),
}


def prepare(tmp_path: Path, clean: pd.DataFrame, files: dict, params: dict) -> None:
    """Raw files, contract and params file in a fresh working folder."""
    if files:
        (tmp_path / "raw").mkdir()
    frame = clean.copy()
    frame.attrs["tmp"] = str(tmp_path)
    for name, make in files.items():
        (tmp_path / "raw" / name).write_bytes(make(frame))
    shutil.copytree(REPO / "contracts", tmp_path / "contracts")
    settings = yaml.safe_load((REPO / "params.yaml").read_text())
    for dotted, value in params.items():
        section, key = dotted.split(".")
        settings[section][key] = value
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(settings))


def ingest_and_validate(tmp_path: Path) -> list[Step]:
    """The two stages as the pipeline runs them (validate only after ingest succeeded)."""
    contract = yaml.safe_load((tmp_path / "params.yaml").read_text())["data"]["contract"]
    validate = [
        "--input", "customers.parquet", "--contract", contract,
        "--valid-out", "valid.parquet", "--quarantine-out", "quarantine.parquet",
        "--unlabelled-out", "unlabelled.parquet",
        "--metrics", "validation.json", "--schema", "schema.json", "--params", "params.yaml",
        "--contract-out", "contract.yaml",
    ]  # fmt: skip
    return [
        Step(tmp_path, "churn.ingest", ["--source", "raw", "--out", "customers.parquet"]),
        Step(tmp_path, "churn.validate", validate),
    ]


def run_ingest_and_validate(tmp_path: Path) -> subprocess.CompletedProcess:
    """ingest, then validate if ingest succeeded: the first failure, else validate's run."""
    [result] = run_forked([ingest_and_validate(tmp_path)])
    return result


def assert_every_row_counted(tmp_path: Path, rows_in: int) -> dict:
    counts = json.loads((tmp_path / "validation.json").read_text())
    assert counts["rows_in"] == rows_in
    assert counts["rows_in"] == counts["rows_valid"] + counts["rows_quarantined"]
    assert counts["rows_quarantined"] == sum(counts["quarantined_by_reason"].values())
    assert len(pd.read_parquet(tmp_path / "valid.parquet")) == counts["rows_valid"]
    quarantine = pd.read_parquet(tmp_path / "quarantine.parquet")
    assert len(quarantine) == counts["rows_quarantined"]
    assert quarantine["reject_reason"].ne("").all()
    return counts


def test_the_corpus_has_at_least_twenty_cases():
    assert len(CASES) >= 20


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory, clean: pd.DataFrame) -> dict:
    """Every case run once (two CLI processes each, forked from one that imported them)."""

    folders = {case: tmp_path_factory.mktemp("case") for case in CASES}
    for case, folder in folders.items():
        prepare(folder, clean, CASES[case][0], CASES[case][1])
    results = run_forked([ingest_and_validate(folder) for folder in folders.values()])
    return {case: (folders[case], result) for case, result in zip(CASES, results, strict=True)}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_bad_input_is_handled_or_refused_clearly(outcomes: dict, case: str):
    folder, result = outcomes[case]
    expected = CASES[case][2]
    assert "Traceback" not in result.stderr
    if expected[0] == "fail":
        assert result.returncode == 2, result.stdout
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith(("churn.ingest: error: ", "churn.validate: error: "))
        for fragment in expected[1]:
            assert fragment in lines[0]
        return
    assert result.returncode == 0, result.stderr
    counts = assert_every_row_counted(folder, expected[1])
    schema = json.loads((folder / "schema.json").read_text())
    assert expected[2](counts, schema), (counts, schema)


def test_zoned_snapshots_pass_ingest_and_validate(tmp_path: Path, clean: pd.DataFrame):
    """ISO 8601 stamps with a zone (a CSV's ...T00:00:00Z, Spark's tz-aware Parquet timestamps)
    stopped validate with a TypeError traceback; they are read in UTC."""
    stamp = pd.Timestamp(clean["snapshot_month"].iloc[0])
    files = {
        "a.csv": lambda f: csv(f.assign(snapshot_month=stamp.strftime("%Y-%m-%dT%H:%M:%SZ"))),
        "b.parquet": lambda f: parquet(
            f.assign(snapshot_month=stamp.tz_localize("UTC"), customer_id=f[ID] + "-b"),
            Path(f.attrs["tmp"]) / "b.parquet",
        ),
    }
    prepare(tmp_path, clean, files, {})
    result = run_ingest_and_validate(tmp_path)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    counts = assert_every_row_counted(tmp_path, 2 * ROWS)
    assert counts["rows_valid"] == 2 * ROWS
    stamps = pd.read_parquet(tmp_path / "valid.parquet")["snapshot_month"]
    assert stamps.dt.tz is None and set(stamps) == {stamp.tz_localize(None)}


def test_an_unquoted_yes_label_works_as_dvc_writes_it(tmp_path: Path, clean: pd.DataFrame):
    """`dvc exp run -S` rewrites `positive_label: "Yes"` unquoted; YAML 1.1 read it as True and
    validate stopped: label value True (data.positive_label) never occurs in column 'Churn'."""
    labels = {"a.csv": lambda f: csv(f.assign(churned=f["churned"].map({0: "No", 1: "Yes"})))}
    prepare(tmp_path, clean, labels, {"data.contract": ""})
    params = tmp_path / "params.yaml"
    params.write_text(params.read_text().replace("positive_label: 1", "positive_label: Yes"))
    assert "positive_label: Yes\n" in params.read_text()
    result = run_ingest_and_validate(tmp_path)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    counts = assert_every_row_counted(tmp_path, ROWS)
    valid = pd.read_parquet(tmp_path / "valid.parquet")
    assert counts["rows_valid"] == ROWS
    assert valid["churned"].sum() == (clean["churned"] == 1).sum() > 0
