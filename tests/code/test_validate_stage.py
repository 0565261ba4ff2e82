"""validate's command line: the contract it applies (--contract, else params' data.contract;
one inferred when the setting that applies is empty, saying which), and its outputs checked
before the work."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from churn.contract_spec import ColumnContract, Contract
from churn.errors import ChurnError
from churn.validate import main as validate_main
from tests.helpers import REPO

OUTPUTS = ("valid-out", "unlabelled-out", "quarantine-out", "metrics", "schema", "contract-out")
STRICT = Contract(
    [
        ColumnContract("customer_id", "id", "categorical", nullable=False),
        ColumnContract("month", "timestamp", "datetime", nullable=False),
        ColumnContract("orders", "feature", "numeric", nullable=False, min=0, max=10),
        ColumnContract("churned", "target", "boolean", nullable=False, categories=["0", "1"]),
    ]
)  # quarantines customer d (50 orders); a contract inferred from the data takes every row


def setup(folder: Path, data_contract: str) -> Path:
    """Four rows, contracts/strict.yaml and a params file naming data_contract, in folder."""
    frame = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d"],
            "month": ["2026-01-01"] * 4,
            "orders": [1, 2, 3, 50],
            "churned": [0, 1, 0, 1],
        }
    )
    frame.to_parquet(folder / "in.parquet")
    (folder / "contracts").mkdir(exist_ok=True)
    (folder / "contracts" / "strict.yaml").write_text(STRICT.to_yaml())
    params = yaml.safe_load((REPO / "params.yaml").read_text())
    params["data"].update(target="churned", id="customer_id", timestamp="month")
    params["data"]["contract"] = data_contract
    (folder / "params.yaml").write_text(yaml.safe_dump(params))
    return folder / "params.yaml"


def run(folder: Path, params: Path, *options: str, **outputs: str) -> dict:
    """validate's main on folder's input (outputs in folder unless given); its metrics."""
    paths = {name: str(folder / f"{name}.out") for name in OUTPUTS} | outputs
    argv = ["--input", str(folder / "in.parquet"), "--params", str(params), *options]
    validate_main([*argv, *(arg for name, path in paths.items() for arg in (f"--{name}", path))])
    return json.loads((folder / "metrics.out").read_text())


def test_without_contract_option_params_data_contract_is_applied(tmp_path, monkeypatch, capsys):
    """Run by hand without --contract, validate said `data.contract is empty` though params
    named a contract, inferred one and took values the contract refuses."""
    monkeypatch.chdir(tmp_path)
    counts = run(tmp_path, setup(tmp_path, "contracts/strict.yaml"))
    assert counts["quarantined_by_reason"] == {"above_max:orders": 1}
    assert "inferred" not in capsys.readouterr().out


def test_data_contract_is_read_relative_to_the_params_file(tmp_path, monkeypatch, capsys):
    """As batch scoring and the API read it, whatever the working directory."""
    (tmp_path / "repo").mkdir()
    params = setup(tmp_path / "repo", "contracts/strict.yaml")
    monkeypatch.chdir(tmp_path)
    assert run(tmp_path / "repo", params)["rows_quarantined"] == 1
    assert capsys.readouterr().err == ""  # in the contracts/ folder next to params: no warning


@pytest.mark.parametrize(
    ("data_contract", "options", "empty"),
    [
        ("", (), "data.contract"),
        ("contracts/strict.yaml", ("--contract", ""), "--contract"),
        ("", ("--contract=",), "data.contract"),  # as the DVC stage passes an empty data.contract
    ],
)
def test_an_empty_setting_infers_a_contract_naming_it(
    tmp_path, monkeypatch, capsys, data_contract, options, empty
):
    monkeypatch.chdir(tmp_path)
    counts = run(tmp_path, setup(tmp_path, data_contract), *options)
    assert counts["rows_quarantined"] == 0
    assert capsys.readouterr().out.startswith(
        f"validate: no contract given ({empty} is empty): inferred one from the data; "
    )


def test_a_missing_contract_of_params_is_named_with_the_setting(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    params = setup(tmp_path, "contracts/absent.yaml")
    with pytest.raises(ChurnError) as refused:
        run(tmp_path, params)
    assert str(refused.value) == (
        f"{tmp_path}/contracts/absent.yaml: contract file not found (data.contract in {params})"
    )


@pytest.mark.parametrize("output", OUTPUTS)
def test_an_output_naming_a_folder_is_refused_before_the_work(tmp_path, monkeypatch, output):
    """--metrics or --schema naming a folder was an IsADirectoryError traceback after the work;
    the Parquet outputs were refused only after it (the input here does not even exist)."""
    monkeypatch.chdir(tmp_path)
    params = setup(tmp_path, "contracts/strict.yaml")
    (tmp_path / "in.parquet").unlink()
    (tmp_path / "folder").mkdir()
    with pytest.raises(ChurnError, match=r"folder: cannot be written \(a folder has that name\)$"):
        run(tmp_path, params, **{output: str(tmp_path / "folder")})
    (tmp_path / "file").write_text("")
    with pytest.raises(ChurnError, match=r"file/x: cannot be written \(.*file is a file, not a"):
        run(tmp_path, params, **{output: str(tmp_path / "file" / "x")})


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
@pytest.mark.parametrize("output", ["metrics", "schema"])
def test_a_json_output_whose_folder_cannot_be_made_is_one_error(tmp_path, monkeypatch, output):
    """--metrics /proc/x/m.json was a FileNotFoundError traceback (mkdir in /proc fails)."""
    monkeypatch.chdir(tmp_path)
    params = setup(tmp_path, "contracts/strict.yaml")
    with pytest.raises(ChurnError, match=r"^/proc/churn-x/m.json: cannot be written \(No such"):
        run(tmp_path, params, **{output: "/proc/churn-x/m.json"})


def test_without_a_contract_decimal_commas_stop_the_run_as_with_one(tmp_path, monkeypatch):
    """An own-data run (data.contract "", data.decimal '.') made the charges categories and
    said 0 quarantined; a frozen contract stops with the decimal-comma hint, and so does this."""
    monkeypatch.chdir(tmp_path)
    params = setup(tmp_path, "")
    frame = pd.read_parquet(tmp_path / "in.parquet")
    charges = ["117,68", "29,85", "56,95", "5.204,06"]
    frame.assign(charges=charges).to_parquet(tmp_path / "in.parquet")
    hint = r"column 'charges' holds numbers, not categories \(4 of 4 rows, e\.g\. '117,68'; deci"
    with pytest.raises(ChurnError, match=hint) as refused:
        run(tmp_path, params)
    assert str(refused.value).startswith(f"{tmp_path / 'in.parquet'}: column 'charges'")


def including_new_columns(params: Path) -> Path:
    """params (a file setup wrote) with contract.new_column: include."""
    settings = yaml.safe_load(params.read_text())
    settings["contract"]["new_column"] = "include"
    params.write_text(yaml.safe_dump(settings))
    return params


def test_a_new_column_of_decimal_comma_numbers_is_not_included_as_categories(tmp_path, monkeypatch):
    """contract.new_column: include typed a new column by inference alone: '117,68' made it a
    column of categories, which the model then trained on as such."""
    monkeypatch.chdir(tmp_path)
    params = including_new_columns(setup(tmp_path, "contracts/strict.yaml"))
    frame = pd.read_parquet(tmp_path / "in.parquet")
    frame.assign(charges=["117,68", "29,85", "56,95", "5.204,06"]).to_parquet(
        tmp_path / "in.parquet"
    )
    expected = (
        f"{tmp_path / 'in.parquet'}: column 'charges' holds numbers, not categories (4 of 4 rows, "
        "e.g. '117,68'; decimal commas? set data.decimal: ',') (contract.new_column: include)"
    )
    with pytest.raises(ChurnError, match=re.escape(expected)):
        run(tmp_path, params)
    frame.assign(charges=["a", "b", "a", "b"]).to_parquet(tmp_path / "in.parquet")
    assert run(tmp_path, params)["rows_in"] == 4  # categories are included as before


def test_an_unlabelled_newest_snapshot_refused_whole_stops_validate(tmp_path, monkeypatch):
    """Its rows are the score stage's input: quarantined whole (2 of 8 rows overall, under
    max_quarantined), validate passed, and the score stage scored last month's rows instead."""
    monkeypatch.chdir(tmp_path)
    params = setup(tmp_path, "contracts/strict.yaml")
    newest = {"customer_id": ["a", "b"], "orders": [50, 60], "churned": [None, None]}
    write_two_months(tmp_path, [1, 2, 3, 4, 5, 6], newest)
    expected = (
        f"{tmp_path / 'in.parquet'} (its unlabelled newest snapshot, the rows to score): 2 of 2 "
        "rows quarantined, more than contract.max_quarantined (50%); most for above_max:orders"
    )
    with pytest.raises(ChurnError, match=re.escape(expected)):
        run(tmp_path, params)
    assert json.loads((tmp_path / "metrics.out").read_text())["rows_quarantined"] == 2


def write_two_months(folder, january_orders: list, newest: dict) -> None:
    """folder/in.parquet: six January customers with these orders, then February's rows."""
    january = {"customer_id": list("abcdef"), "orders": january_orders, "churned": [0, 1] * 3}
    months = [pd.DataFrame(january).assign(month="2026-01-01")]
    months.append(pd.DataFrame(newest).assign(month="2026-02-01"))
    pd.concat(months, ignore_index=True).to_parquet(folder / "in.parquet")


ROLE_CONFLICTS = {
    "target": (
        {"target": "orders"},
        "gives the target role to 'churned', params data.target is 'orders' (it gives "
        "'orders' the feature role)",
    ),
    "id": (
        {"id": "orders"},
        "gives the id role to 'customer_id', params data.id is 'orders' (it gives 'orders' "
        "the feature role)",
    ),
    "timestamp": ({"timestamp": "month_x"}, "gives the timestamp role to 'month', params "
                  "data.timestamp is 'month_x'"),
    "no target in the contract": (
        {"contract": STRICT.columns[:3]},
        "gives no column the target role, params data.target is 'churned'",
    ),
    "a role the contract lacks, on a feature": (
        {"contract": [STRICT.columns[0], *STRICT.columns[2:]], "timestamp": "orders"},
        "gives 'orders' the feature role, params data.timestamp names it as the timestamp",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", list(ROLE_CONFLICTS))
def test_params_roles_that_contradict_the_contract_are_refused(tmp_path, monkeypatch, case):
    """data.target: app_installed with the committed contract trained on the real label
    (churned, a feature then) without a word."""
    changes, conflict = ROLE_CONFLICTS[case]
    monkeypatch.chdir(tmp_path)
    params = setup(tmp_path, "contracts/strict.yaml")
    columns = changes.pop("contract", STRICT.columns)
    (tmp_path / "contracts" / "strict.yaml").write_text(Contract(list(columns)).to_yaml())
    settings = yaml.safe_load(params.read_text())
    settings["data"].update(changes)
    params.write_text(yaml.safe_dump(settings))
    frame = pd.read_parquet(tmp_path / "in.parquet")
    frame.assign(month_x=frame["month"]).to_parquet(tmp_path / "in.parquet")
    with pytest.raises(ChurnError) as refused:
        run(tmp_path, params)
    assert str(refused.value) == f"{tmp_path}/contracts/strict.yaml {conflict}"


@pytest.mark.parametrize("role", ["id", "timestamp"])
def test_an_id_or_snapshot_column_params_do_not_name_is_refused(tmp_path, monkeypatch, role):
    """With data.id (or data.timestamp) empty, the contract's id column of the data went on as
    a model feature: featurize leaves out only the columns params name."""
    monkeypatch.chdir(tmp_path)
    params = setup(tmp_path, "contracts/strict.yaml")
    settings = yaml.safe_load(params.read_text())
    holder = settings["data"][role]
    settings["data"][role] = ""
    params.write_text(yaml.safe_dump(settings))
    expected = f"gives the {role} role to {holder!r}, which the data has, and params data.{role}"
    with pytest.raises(ChurnError, match=re.escape(expected)):
        run(tmp_path, params)


@pytest.mark.parametrize("left_out", [["customer_id"], ["customer_id", "month"]])
def test_id_and_snapshot_columns_a_contract_leaves_out_are_kept_and_checked(
    tmp_path, monkeypatch, left_out
):
    """A contract without the data.id (or data.timestamp) column: under new_column: ignore,
    validate dropped the column from its output, refused no repeated id, and split stopped on
    its input ('customer_id' (data.id) not found)."""
    monkeypatch.chdir(tmp_path)
    params = setup(tmp_path, "contracts/strict.yaml")
    kept = [column for column in STRICT.columns if column.name not in left_out]
    (tmp_path / "contracts" / "strict.yaml").write_text(Contract(kept).to_yaml())
    frame = pd.read_parquet(tmp_path / "in.parquet")
    pd.concat([frame, frame.iloc[:1]], ignore_index=True).to_parquet(tmp_path / "in.parquet")
    counts = run(tmp_path, params)
    assert counts["quarantined_by_reason"] == {"above_max:orders": 1, "duplicate_id:customer_id": 1}
    valid = pd.read_parquet(tmp_path / "valid-out.out")
    assert valid["customer_id"].tolist() == ["a", "b", "c"]
    assert str(valid["month"].dtype) == "datetime64[ns]"


def test_a_month_of_text_stops_validate_and_is_listed_as_retyped(tmp_path, monkeypatch):
    """One month of words in a number column, diluted by the clean months before it, passed as
    missing values with "retyped": []; in an unlabelled newest snapshot, quarantined whole,
    schema.json did not list the column either."""
    monkeypatch.chdir(tmp_path)
    params = setup(tmp_path, "contracts/strict.yaml")
    for labels in ([1, 0], [None, None]):  # labelled, then the unlabelled newest snapshot
        newest = {  # 20 values: enough for a snapshot to show a type change
            "customer_id": [f"n{k}" for k in range(20)],
            "orders": ["many", "few"] * 10,
            "churned": labels * 10,
        }
        write_two_months(tmp_path, ["1", "2", "3", "4", "5", "6"], newest)
        expected = (
            f"{tmp_path / 'in.parquet'}: column 'orders' no longer holds numeric values in "
            "snapshot 2026-02-01 (20 of 20 rows, e.g. 'many'; contract.type_change: fail)"
        )
        with pytest.raises(ChurnError, match=re.escape(expected)):
            run(tmp_path, params)
        settings = yaml.safe_load(params.read_text())
        settings["contract"].update(type_change="quarantine", max_quarantined=1.0)
        quarantining = tmp_path / "quarantining.yaml"
        quarantining.write_text(yaml.safe_dump(settings))
        counts = run(tmp_path, quarantining)
        assert counts["quarantined_by_reason"] == {"type:orders": 20}
        assert json.loads((tmp_path / "schema.out").read_text())["retyped"] == ["orders"]


@pytest.mark.parametrize("timestamp", ["", "month"])
def test_repeated_ids_without_a_timestamp_point_at_data_timestamp(tmp_path, monkeypatch, timestamp):
    """Monthly snapshots read with data.timestamp: "" (the random-split recipe) quarantined two
    of three rows as duplicate_id and stopped without saying why a customer had several rows."""
    monkeypatch.chdir(tmp_path)
    params = setup(tmp_path, "")
    settings = yaml.safe_load(params.read_text())
    settings["data"]["timestamp"] = timestamp
    settings["contract"]["max_quarantined"] = 0.1
    params.write_text(yaml.safe_dump(settings))
    months = [f"2026-0{m}-01" for m in (1, 2, 3)]
    rows = {"customer_id": ["a", "b", "b"] * 3, "orders": [1, 2, 3] * 3, "churned": [0, 1, 1] * 3}
    frame = pd.DataFrame(rows).assign(month=[m for m in months for _ in "abc"])
    frame.to_parquet(tmp_path / "in.parquet")  # b is repeated within each month too
    with pytest.raises(ChurnError) as error:
        run(tmp_path, params)
    advice = "several rows per customer, such as monthly snapshots? set data.timestamp"
    assert (advice in str(error.value)) == (not timestamp)


VISITS = Contract(
    [*STRICT.columns, ColumnContract("visits", "feature", "numeric", nullable=True, min=0)]
)


def write_visits(folder: Path, january: list, february: list, renamed: bool = False) -> None:
    """folder/in.parquet as ingest writes it from two monthly files: 30 customers a month, the
    February file lacking `visits` when its values are all None (ingest fills the column), and
    holding them as `visit_count` instead when renamed."""
    ids = [f"c{k}" for k in range(30)]
    rows = {"customer_id": ids, "orders": [1] * 30, "churned": [0, 1] * 15}
    months = [
        pd.DataFrame(rows | {"visits": january}).assign(month="2026-01-01"),
        pd.DataFrame(rows | {"visits": [None] * 30 if renamed else february}).assign(
            month="2026-02-01"
        ),
    ]
    frame = pd.concat(months, ignore_index=True)
    if renamed:
        frame["visit_count"] = [None] * 30 + february
    frame.to_parquet(folder / "in.parquet")
    (folder / "contracts" / "strict.yaml").write_text(VISITS.to_yaml())


def test_a_column_gone_from_the_newest_month_follows_contract_missing_column(tmp_path, monkeypatch):
    """A month whose file lacks a contract column (renamed upstream) reaches validate as that
    column all missing: a nullable one passed, with "missing": [], and the model trained and the
    score stage scored without it, while batch scoring refuses that month's file for it."""
    monkeypatch.chdir(tmp_path)
    params = setup(tmp_path, "contracts/strict.yaml")
    write_visits(tmp_path, list(range(30)), list(range(30)), renamed=True)
    expected = (
        f"{tmp_path / 'in.parquet'}: feature column(s) with no value in a snapshot after months "
        "with values (missing from that month's file, dropped or renamed?): 'visits' in 2026-02; "
        "new in 2026-02: 'visit_count' (contract.missing_column: fail)"
    )
    with pytest.raises(ChurnError, match=re.escape(expected)):
        run(tmp_path, params)
    settings = yaml.safe_load(params.read_text())
    settings["contract"]["missing_column"] = "impute"
    imputing = tmp_path / "imputing.yaml"
    imputing.write_text(yaml.safe_dump(settings))
    assert run(tmp_path, imputing)["rows_valid"] == 60
    assert json.loads((tmp_path / "schema.out").read_text())["missing"] == ["visits"]


@pytest.mark.parametrize(
    "january, february",
    [
        ([None] * 30, list(range(30))),  # arrives in February: not gone
        ([1] + [None] * 29, [None] * 30),  # sparse: 1 value expected in February, none is fine
    ],
)
def test_a_column_arriving_late_or_sparse_is_not_gone(tmp_path, monkeypatch, january, february):
    monkeypatch.chdir(tmp_path)
    params = setup(tmp_path, "contracts/strict.yaml")
    write_visits(tmp_path, january, february)
    assert run(tmp_path, params)["rows_valid"] == 60
    assert json.loads((tmp_path / "schema.out").read_text())["missing"] == []


def test_an_included_new_column_gone_from_a_month_is_missing_too(tmp_path, monkeypatch):
    """Under contract.new_column: include the model trains on a column outside the contract,
    and batch scoring refuses a file without it: a month lacking it passed validate."""
    monkeypatch.chdir(tmp_path)
    params = setup(tmp_path, "contracts/strict.yaml")
    write_visits(tmp_path, list(range(30)), [None] * 30)
    (tmp_path / "contracts" / "strict.yaml").write_text(STRICT.to_yaml())  # without visits
    settings = yaml.safe_load(params.read_text())
    settings["contract"]["new_column"] = "include"
    params.write_text(yaml.safe_dump(settings))
    with pytest.raises(ChurnError, match=r"with values \(.*\): 'visits' in 2026-02 \(contract"):
        run(tmp_path, params)


def write_months(folder: Path, february_copies: int, strays: int = 0) -> None:
    """folder/in.parquet as ingest stacks monthly files: 30 customers in January and February,
    February's file read february_copies times (a corrected export beside the first), and
    `strays` repeated January rows."""
    rows = {"customer_id": [f"c{k}" for k in range(30)], "orders": [1] * 30, "churned": [0, 1] * 15}
    january = pd.DataFrame(rows).assign(month="2026-01-01")
    february = [
        pd.DataFrame(rows).assign(month="2026-02-01", orders=copy + 1)
        for copy in range(february_copies)
    ]
    frame = pd.concat([january, january.head(strays), *february], ignore_index=True)
    frame.to_parquet(folder / "in.parquet")


def test_a_month_delivered_twice_stops_validate_naming_it(tmp_path, monkeypatch):
    """Two files of one month: every row of the second was quarantined as duplicate_id and the
    month trained on whichever file was read first, with no word said."""
    monkeypatch.chdir(tmp_path)
    params = setup(tmp_path, "contracts/strict.yaml")
    write_months(tmp_path, february_copies=2)
    with pytest.raises(ChurnError) as error:
        run(tmp_path, params)
    assert str(error.value) == (
        f"{tmp_path / 'in.parquet'}: rows repeating a customer id of their snapshot (2026-02: 30 "
        "of its 60) were quarantined as duplicate_id, the first copy read kept (see "
        f"{tmp_path / 'quarantine-out.out'}): was a month delivered twice? keep one file of it in "
        "ingest.source"
    )
    quarantined = pd.read_parquet(tmp_path / "quarantine-out.out")  # written before the stop
    assert quarantined["orders"].eq(2).all() and len(quarantined) == 30


def test_a_month_delivered_twice_names_the_source_files_of_its_repeats(tmp_path, monkeypatch):
    from churn.source_rows import write_sources

    monkeypatch.chdir(tmp_path)
    params = setup(tmp_path, "contracts/strict.yaml")
    write_months(tmp_path, february_copies=2)
    names = ["exports/2026-01.csv", "exports/2026-02.csv", "exports/2026-02-fixed.csv"]
    write_sources(names, [30, 30, 30], tmp_path / "sources.json")
    with pytest.raises(ChurnError) as error:
        run(tmp_path, params, "--sources", "sources.json")
    assert str(error.value).endswith(
        "keep one file of it in ingest.source (the repeats are from exports/2026-02-fixed.csv)"
    )
    write_sources(names[:2], [30, 30], tmp_path / "sources.json")  # another table's listing
    with pytest.raises(ChurnError, match=r"sources.json: lists 60 rows, the table has 90: not"):
        run(tmp_path, params, "--sources", "sources.json")


def test_a_few_repeated_ids_in_a_month_are_quarantined_without_stopping(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    params = setup(tmp_path, "contracts/strict.yaml")
    write_months(tmp_path, february_copies=1, strays=3)
    counts = run(tmp_path, params)
    assert counts["quarantined_by_reason"] == {"duplicate_id:customer_id": 3}


def test_a_stored_index_is_read_as_ingest_reads_it_not_a_traceback(tmp_path, monkeypatch):
    """validate's --input written by hand with pandas: a repeated unnamed index (rows stacked
    without ignore_index) raised 'cannot reindex on an axis with duplicate labels'; a named
    index holds a column (the id here), as ingest reads it."""
    monkeypatch.chdir(tmp_path)
    params = setup(tmp_path, "contracts/strict.yaml")
    frame = pd.read_parquet(tmp_path / "in.parquet")
    pd.concat([frame.head(3), frame.head(1).assign(customer_id="e")]).to_parquet(
        tmp_path / "in.parquet"
    )
    counts = run(tmp_path, params)
    assert (counts["rows_in"], counts["rows_quarantined"]) == (4, 0)
    frame.set_index("customer_id").to_parquet(tmp_path / "in.parquet")
    counts = run(tmp_path, params)  # customer d quarantined (50 orders), as without the index
    assert (counts["rows_in"], counts["rows_quarantined"]) == (4, 1)


@pytest.mark.parametrize("left_out", [[], ["customer_id", "month"]])
def test_validate_writes_the_contract_file_it_applied_with_the_role_columns_it_added(
    tmp_path, monkeypatch, left_out
):
    """--contract-out: the contract validate applied, for batch scoring and the API when
    data.contract is "" (here a file: written with the id and snapshot columns it added)."""
    monkeypatch.chdir(tmp_path)
    params = setup(tmp_path, "contracts/strict.yaml")
    kept = [column for column in STRICT.columns if column.name not in left_out]
    (tmp_path / "contracts" / "strict.yaml").write_text(Contract(kept).to_yaml())
    run(tmp_path, params)
    text = (tmp_path / "contract-out.out").read_text()
    assert text.startswith("# Written by validate: the contract it applied (contracts/strict.yaml)")
    assert Contract.from_yaml(text).columns == [*kept, *STRICT.columns[: len(left_out)]]


def test_errors_and_the_quarantine_name_the_source_file_of_the_rows(tmp_path, monkeypatch):
    """validate named only data/interim/customers.parquet, the table ingest stacked: which of
    the user's files held a month of text, or the rows it quarantined, went unsaid."""
    from churn.ingest import main as ingest_main

    monkeypatch.chdir(tmp_path)
    params = setup(tmp_path, "contracts/strict.yaml")
    (tmp_path / "exports").mkdir()
    ids = [f"c{k:02d}" for k in range(20)]  # 20 rows: enough to judge a month's type
    for month, orders in (("01", [1] * 20), ("02", [1] * 19 + [50]), ("03", ["n/a?"] * 20)):
        rows = pd.DataFrame({"customer_id": ids, "month": f"2026-{month}-01",
                             "orders": orders, "churned": [0, 1] * 10})  # fmt: skip
        rows.to_csv(tmp_path / "exports" / f"m{month}.csv", index=False)
    ingest = ["--source", "exports", "--params", str(params), "--sources-out", "sources.json"]
    ingest_main([*ingest, "--out", "in.parquet"])
    assert json.loads((tmp_path / "sources.json").read_text())["files"][2] == {
        "path": "exports/m03.csv",
        "rows": 20,
    }  # relative, as ingest.source is: no machine's absolute path in the output
    with pytest.raises(ChurnError) as error:
        run(tmp_path, params, "--sources", "sources.json")
    assert str(error.value).startswith(
        f"exports/m03.csv (rows of {tmp_path / 'in.parquet'}): column 'orders' no longer holds "
        "numeric values in snapshot 2026-03-01 (20 of 20 rows, e.g. 'n/a?';"
    )
    quarantine = yaml.safe_load((tmp_path / "params.yaml").read_text())
    quarantine["contract"]["type_change"] = "quarantine"
    (tmp_path / "quarantine.yaml").write_text(yaml.safe_dump(quarantine))
    run(tmp_path, tmp_path / "quarantine.yaml", "--sources", "sources.json")
    rejected = pd.read_parquet(tmp_path / "quarantine-out.out")
    assert rejected[["reject_reason", "reject_source"]].values.tolist() == [
        ["above_max:orders", "exports/m02.csv"],
        *[["type:orders", "exports/m03.csv"]] * 20,
    ]


def ingested(folder: Path, params: Path, months: dict[str, dict]) -> None:
    """exports/m<MM>.csv per month (20 customers, the given columns' values) ingested into
    folder/in.parquet, with sources.json."""
    from churn.ingest import main as ingest_main

    (folder / "exports").mkdir()
    for month, values in months.items():
        rows = {"customer_id": [f"c{k:02d}" for k in range(20)], "month": f"2026-{month}-01",
                "orders": 1, "churned": [0, 1] * 10} | values  # fmt: skip
        pd.DataFrame(rows).to_csv(folder / "exports" / f"m{month}.csv", index=False)
    ingest = ["--source", "exports", "--params", str(params), "--sources-out", "sources.json"]
    ingest_main([*ingest, "--out", "in.parquet"])


@pytest.mark.parametrize(
    ("dates", "files", "message"),
    [
        (("2026-01-01", "02/03/2026", "2026-03-01"), "exports/m02.csv",
         "column 'month': dates such as '02/03/2026' read either day or month first"),
        (("2026-01-01", "13/02/2026", "03/13/2026"), "exports/m02.csv, exports/m03.csv",
         "column 'month': dates such as '13/02/2026' read day first, others such as '03/13/2026'"),
    ],
    ids=["either order", "both orders"],
)  # fmt: skip
def test_dates_that_read_two_ways_name_the_files_that_hold_them(
    tmp_path, monkeypatch, dates, files, message
):
    """The column-level error named only data/interim/customers.parquet."""
    monkeypatch.chdir(tmp_path)
    params = setup(tmp_path, "contracts/strict.yaml")
    ingested(
        tmp_path, params, {m: {"month": d} for m, d in zip(("01", "02", "03"), dates, strict=True)}
    )
    with pytest.raises(ChurnError) as error:
        run(tmp_path, params, "--sources", "sources.json")
    assert str(error.value).startswith(f"{files} (rows of {tmp_path / 'in.parquet'}): {message}")


@pytest.mark.parametrize("unlabelled", [False, True], ids=["labelled", "newest unlabelled"])
def test_too_many_quarantined_rows_name_their_files(tmp_path, monkeypatch, unlabelled):
    """contract.max_quarantined: the stop named only data/interim/customers.parquet."""
    monkeypatch.chdir(tmp_path)
    params = setup(tmp_path, "contracts/strict.yaml")
    broken = {"orders": 50} | ({"churned": None} if unlabelled else {})
    months = {"01": {}, "02": {} if unlabelled else {"orders": 50}, "03": broken}
    ingested(tmp_path, params, months)
    with pytest.raises(ChurnError) as error:
        run(tmp_path, params, "--sources", "sources.json")
    table = tmp_path / "in.parquet"
    expected = (
        f"exports/m03.csv (rows of {table}: its unlabelled newest snapshot, the rows to score): "
        "20 of 20 rows quarantined"
        if unlabelled
        else f"exports/m02.csv, exports/m03.csv (rows of {table}): 40 of 60 rows quarantined"
    )
    assert str(error.value).startswith(expected)
    assert (tmp_path / "quarantine-out.out").exists()  # written before the stop
