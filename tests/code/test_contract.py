"""The contract file: inference from data, YAML round trip, clear errors."""

import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from churn.contract import infer_column, infer_contract, left_out_note, numbers_rows
from churn.contract import main as contract_main
from churn.contract_choice import choose_contract
from churn.contract_columns import check_new_column
from churn.contract_spec import Contract
from churn.data_params import DataParams, Policies
from churn.errors import ChurnError
from churn.validation import apply_contract
from tests.helpers import REPO

DATA = DataParams(target="churned", positive_label=1, id="customer_id", timestamp="month")
FRAME = pd.DataFrame(
    {
        "customer_id": ["a", "b", "c"],
        "month": pd.to_datetime(["2026-01-01"] * 3),
        "tenure": [1, 5, None],
        "plan": ["free", "plus", "free"],
        "app": [0, 1, 1],
        "churned": [0, 1, 0],
    }
)

NUMERIC = "version: 1\ncolumns: {{x: {{role: feature, type: numeric, {}}}}}\n"


def infer_on_command_line(source: Path, roles: str, capsys) -> tuple[str, str]:
    """`churn.contract infer SOURCE` with a params.yaml beside it whose data section holds the
    given role lines (CSV read as written); its stdout and stderr."""
    params = source.parent / "params.yaml"
    params.write_text(f"data:\n{roles}  contract: ''\n  delimiter: auto\n  decimal: .\n")
    contract_main(["infer", str(source), "--params", str(params)])
    return capsys.readouterr()


def test_inferred_contract_has_roles_types_ranges_and_categories():
    contract = infer_contract(FRAME, DATA)
    assert contract.names("feature") == ["tenure", "plan", "app"]
    tenure = contract.column("tenure")
    assert (tenure.type, tenure.nullable, tenure.min, tenure.max) == ("numeric", True, 1.0, 5.0)
    assert contract.column("plan").categories == ["free", "plus"]
    assert contract.column("app").type == "boolean"
    assert contract.column("month").role == "timestamp"


def test_spreadsheet_numbers_with_blanks_are_inferred_numeric_and_nullable():
    """Telco-style exports: TotalCharges is text, with " " where the value is missing."""
    frame = FRAME.assign(total=["29.85", " ", "1,889.50"])
    total = infer_contract(frame, DATA).column("total")
    assert (total.type, total.nullable, total.min, total.max) == ("numeric", True, 29.85, 1889.5)


def test_a_categorical_with_many_values_is_an_open_set():
    """Listing only some of many values would quarantine every row with another one."""
    many = pd.DataFrame({"city": [f"city {i}" for i in range(60)], "churned": [0, 1] * 30})
    few = many.assign(city=["north", "south", " south "] * 20)
    assert infer_contract(many, DATA).column("city").categories is None
    assert infer_contract(few, DATA).column("city").categories == ["north", "south"]


def test_numeric_looking_ids_are_inferred_as_open_text_never_as_numbers():
    """Long ids as numbers merge (float64), a range would refuse every new customer."""
    frame = FRAME.assign(customer_id=[1234567890123456001, 1234567890123456002, 3])
    contract = infer_contract(frame, DATA)
    ids = contract.column("customer_id")
    assert (ids.role, ids.type, ids.min, ids.max, ids.categories) == (
        "id", "categorical", None, None, None,
    )  # fmt: skip
    result = apply_contract(frame, contract, Policies(), DATA, "x")
    assert sorted(result.valid["customer_id"]) == [
        "1234567890123456001",
        "1234567890123456002",
        "3",
    ]


def test_contract_round_trips_through_yaml():
    contract = infer_contract(FRAME, DATA)
    assert Contract.from_yaml(contract.to_yaml()).columns == contract.columns


def test_categories_that_read_as_numbers_in_yaml_1_2_round_trip_as_written():
    """yaml.safe_dump leaves 09, 1e3 and 0o17 unquoted (text in YAML 1.1): the contract reader
    keeps YAML 1.1's numbers, which params.yaml reads as DVC does (YAML 1.2)."""
    levels = ["09", "1e3", "0o17", "0042", "1:30"]
    text = (
        "version: 1\ncolumns:\n  zip:\n    role: feature\n    type: categorical\n"
        f"    nullable: false\n    categories: {[*levels]!r}\n"
    )
    contract = Contract.from_yaml(text)
    assert contract.column("zip").categories == levels
    assert Contract.from_yaml(contract.to_yaml()).columns == contract.columns


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("columns: [", "not valid YAML"),
        ("version: 1\n", "'columns' section"),
        ("version: 9\ncolumns: {}\n", "unsupported contract version"),
        ("version: 1\ncolumns: {x: {role: feature, type: text}}\n", "column 'x' type"),
        ("version: 1\ncolumns: {x: {role: label, type: numeric}}\n", "column 'x' role"),
        ("version: 1\ncolumns: {x: {role: feature, type: numeric, maxx: 1}}\n", "unknown field"),
        # a name YAML reads as a number: validate said "the data has '2024' for '2024'"
        ("version: 1\ncolumns: {2024: {role: feature, type: numeric}}\n", "column name 2024 is no"),
        ("version: 1\ncolumns: {true: {role: feature, type: numeric}}\n", "column name True is no"),
        ("version: 1\ncolumns:\n  x: {role: feature type: numeric}\n", "at line 3, column "),
        (NUMERIC.format("max: six hundred"), "column 'x' max must be a number, got 'six hundred'"),
        (NUMERIC.format("min: true"), "column 'x' min must be a number, got True"),
        (NUMERIC.format("max: .nan"), "column 'x' max must be a number, got nan"),
        (
            NUMERIC.format("max: 1" + "0" * 400),  # float() of it overflows
            r"column 'x' max must be a number, got 10000000000000000000\.\.\. \(too large\)",
        ),
        (NUMERIC.format("min: 5, max: 1"), r"column 'x' min \(5\) is above max \(1\)"),
        (NUMERIC.format("nullable: maybe"), "column 'x' nullable must be true or false"),
        (  # a column described twice: the first description would be lost
            "version: 1\ncolumns:\n  x: {role: feature, type: numeric}\n"
            "  x: {role: id, type: categorical}\n",
            "found the key 'x' twice",
        ),
        (NUMERIC.format("nullable: 1"), "column 'x' nullable must be true or false, got 1"),
        (
            "version: 1\ncolumns: {x: {role: feature, type: categorical, min: 0}}\n",
            "column 'x' min applies to numeric columns only",
        ),
        (
            "version: 1\ncolumns: {x: {role: feature, type: categorical, categories: free}}\n",
            "column 'x' categories must be a list of values",
        ),
        (  # ignored beside columns: a section misspelt, never read
            "version: 1\ncolumns: {x: {role: feature, type: numeric}}\ncolums: {y: {}}\n",
            r"unknown top-level key\(s\) \['colums'\]: a contract has version, columns",
        ),
        (  # a null became the level "None"
            "version: 1\ncolumns: {x: {role: feature, type: categorical, categories: [a, ~]}}\n",
            r"column 'x' categories must be a list of values \(a missing value is no category: "
            r"set nullable\), got \['a', None\]",
        ),
        (  # the values were never checked against them
            "version: 1\ncolumns: {x: {role: feature, type: numeric, categories: [1, 2, 3]}}\n",
            "column 'x' categories apply to categorical columns and the target only, not numeric",
        ),
        (  # the old label left a target: it was checked and trained on as a feature (leakage)
            "version: 1\ncolumns: {churned_old: {role: target, type: numeric},\n"
            "  churned: {role: target, type: numeric}}\n",
            r"gives the target role to 2 columns \('churned_old', 'churned'\): one column holds",
        ),
        (
            "version: 1\ncolumns: {id: {role: id, type: categorical},\n"
            "  account: {role: id, type: categorical}}\n",
            r"gives the id role to 2 columns \('id', 'account'\)",
        ),
    ],
)
def test_bad_contracts_are_named(text, message):
    with pytest.raises(ChurnError, match=f"^contract.yaml: .*{message}") as raised:
        Contract.from_yaml(text, "contract.yaml")
    assert "\n" not in str(raised.value)


def test_a_numeric_column_with_no_values_gets_no_range_and_round_trips():
    contract = Contract([infer_column("churned", pd.Series([None] * 3, dtype=float), "target")])
    empty = contract.column("churned")
    assert (empty.type, empty.min, empty.max) == ("numeric", None, None)
    assert Contract.from_yaml(contract.to_yaml()).columns == contract.columns


def test_feature_columns_with_no_values_are_left_out_and_named():
    """A feature that is never there would be demanded of scoring data."""
    frame = FRAME.assign(empty=float("nan"), blank=["", "NA", None])
    contract = infer_contract(frame, DATA)
    assert contract.names("feature") == ["tenure", "plan", "app"]
    note = "Left out, with no values at all: 'empty', 'blank' (validate treats them as new columns)"
    assert left_out_note(contract) == note
    assert f"# {note}\n" in contract.to_yaml()  # the frozen contract says so too
    assert left_out_note(infer_contract(FRAME, DATA)) == ""


def test_an_inferred_id_column_is_never_nullable_so_rows_without_id_are_quarantined():
    frame = FRAME.assign(customer_id=["a", " ", None])
    contract = infer_contract(frame, DATA)
    assert contract.column("customer_id").nullable is False
    result = apply_contract(frame, contract, Policies(), DATA, "x")
    assert result.valid["customer_id"].tolist() == ["a"]
    assert result.rejected["reject_reason"].tolist() == ["null:customer_id"] * 2


def test_an_inferred_timestamp_is_not_nullable_as_validate_requires_it():
    """The frozen contract said nullable: true for a date column with blanks, which validate
    overrides (a row without a snapshot belongs to no split)."""
    frame = FRAME.assign(month=["2026-01-01", "", None])
    contract = infer_contract(frame, DATA)
    assert contract.column("month").nullable is False
    assert Contract.from_yaml(contract.to_yaml()).column("month").nullable is False
    result = apply_contract(frame, contract, Policies(), DATA, "x")
    assert result.rejected["reject_reason"].tolist() == ["null:month"] * 2


def test_role_columns_the_data_lacks_are_named_and_the_contract_still_written(tmp_path, capsys):
    """With default params on data whose label is 'Churn' and id 'CustomerID', infer exited 0
    with both written as plain features, and no word about it."""
    export = tmp_path / "telco.csv"
    pd.DataFrame(
        {"CustomerID": ["7590-V", "5575-G"], "tenure": [1, 34], "Churn": ["No", "Yes"]}
    ).to_csv(export, index=False)
    params = REPO / "params.yaml"  # data: target churned, id customer_id, snapshot_month
    contract_main(["infer", str(export), "--params", str(params)])
    out, err = capsys.readouterr()
    assert err.splitlines() == [
        f"contract: data.{role} {name!r} is not a column of {export}{hint}: no column gets the "
        f"{role} role (set data.{role} in {params})"
        for role, name, hint in [
            ("target", "churned", " (did you mean 'Churn'?)"),
            ("id", "customer_id", " (did you mean 'CustomerID'? names must match exactly)"),
            ("timestamp", "snapshot_month", ""),
        ]
    ]
    assert Contract.from_yaml(out).names("feature") == ["CustomerID", "tenure", "Churn"]


def test_role_columns_the_data_has_give_no_warning(tmp_path, capsys):
    FRAME.rename(columns={"month": "snapshot_month"}).to_parquet(tmp_path / "c.parquet")
    contract_main(["infer", str(tmp_path / "c.parquet"), "--params", str(REPO / "params.yaml")])
    out, err = capsys.readouterr()
    assert err == ""
    assert Contract.from_yaml(out).names("target") == ["churned"]


EUROPEAN = (
    "customer_id;MonthlyCharges;TotalCharges;churned\n"
    "a;117,68;5.204,06;1\nb;29,85; ;0\nc;56,95;1.889,50;0\n"
)


def test_decimal_commas_stop_inference_as_they_stop_a_frozen_contract():
    """With data.decimal '.' they became categories (MonthlyCharges: __missing__, __unknown__
    in the model): validate without a contract said 0 quarantined."""
    frame = FRAME.assign(charges=["117,68", "29,85", "5.204,06"])
    message = (
        r"^in\.csv: column 'charges' holds numbers, not categories \(3 of 3 rows, "
        r"e\.g\. '117,68'; decimal commas\? set data\.decimal: ','\): no contract inferred$"
    )
    with pytest.raises(ChurnError, match=message):
        infer_contract(frame, DATA, "in.csv")
    words = FRAME.assign(plan=["a,b", "plus", "free"])  # text with a comma stays text
    assert infer_contract(words, DATA).column("plan").type == "categorical"


@pytest.mark.parametrize(
    ("charges", "example"),
    [
        (["0", "2", "3,6"], r"'3,6'; decimal commas\? set data\.decimal: ','"),
        (["1", "$2", "3"], "'\\$2'"),
    ],
)
def test_a_number_column_with_some_numbers_written_as_text_stops_inference(charges, example):
    """Mostly whole numbers with a few decimal-comma (or currency) values were inferred numeric
    and those values became missing in validate: a third of the column lost, counted only."""
    message = (
        rf"^in\.csv: column 'charges' holds numbers written as text \(1 of 3 rows, "
        rf"e\.g\. {example}.*\): no contract inferred$"
    )
    with pytest.raises(ChurnError, match=message):
        infer_contract(FRAME.assign(charges=charges), DATA, "in.csv")
    with pytest.raises(ChurnError, match=r"\(contract\.new_column: include\)$"):
        check_new_column(pd.Series(charges), "charges", where="in.csv")
    plain = infer_contract(FRAME.assign(charges=["0", "2", "3.6"]), DATA)
    assert plain.column("charges").type == "numeric"


@pytest.mark.parametrize("month", [[1767225600] * 3, ["202601"] * 3])
def test_a_timestamp_column_without_dates_stops_inference(month):
    """Epoch seconds or 202601 were typed datetime, and validate then stopped on every row
    saying the column "no longer holds datetime values"."""
    message = (
        rf"^in\.csv: column 'month' \(data\.timestamp\) holds no dates \(3 of 3 rows, "
        rf"e\.g\. '{month[0]}'; dates must read as dates: write them as YYYY-MM-DD\): "
        r"no contract inferred$"
    )
    with pytest.raises(ChurnError, match=message):
        infer_contract(FRAME.assign(month=month), DATA, "in.csv")


MONEY = [["$29.72", "$1,889.50", "-$5"], ["26%", "3 %", "0.5%"], ["USD 12", "eur 1,5", "12,5 €"]]


@pytest.mark.parametrize("charges", [*MONEY, ["£3", "£4", "9.5"]])
def test_currency_and_percent_numbers_stop_inference_as_decimal_commas_do(charges):
    """They became categories: each "$29.72" rarer than featurize.min_category_count, so all
    __unknown__ in training, and "26%" dozens of unordered levels; inference said nothing."""
    frame = FRAME.assign(charges=charges)
    bad = sum(not value[0].isdigit() or not value[-1].isdigit() for value in charges)
    message = (
        rf"^in\.csv: column 'charges' holds numbers, not categories \({bad} of 3 rows, "
        rf"e\.g\. '{re.escape(charges[0])}'; write them as plain numbers, without currency or "
        r"percent signs\): no contract inferred$"
    )
    with pytest.raises(ChurnError, match=message):
        infer_contract(frame, DATA, "in.csv")
    with pytest.raises(ChurnError, match=r"\(contract\.new_column: include\)$"):
        check_new_column(frame["charges"], "charges", where="in.csv")
    codes = FRAME.assign(plan=["A1%", "EUR", "$"])  # codes and signs alone stay categories
    assert infer_contract(codes, DATA).column("plan").type == "categorical"


def test_a_frozen_numeric_column_of_currency_text_says_to_write_plain_numbers():
    contract = Contract.from_yaml(NUMERIC.format("nullable: true"), "c.yaml")
    frame = pd.DataFrame({"x": ["$1", "$2", "3"], "churned": [0, 1, 0]})
    hint = r"e\.g\. '\$1'; write them as plain numbers, without currency or percent signs;"
    with pytest.raises(ChurnError, match=rf"^x: column 'x' no longer holds numeric .*{hint}"):
        apply_contract(frame, contract, Policies(), DATA, "x")


@pytest.mark.parametrize("decimal", [".", ","])
def test_contract_infer_on_a_european_export_needs_the_decimal_setting(tmp_path, capsys, decimal):
    (tmp_path / "eu.csv").write_text(EUROPEAN)
    params = tmp_path / "params.yaml"
    data = yaml.safe_load((REPO / "params.yaml").read_text())["data"]
    data.update(id="customer_id", timestamp="", contract="", decimal=decimal)
    params.write_text(yaml.safe_dump({"data": data}))
    if decimal == ".":
        with pytest.raises(ChurnError, match=r"eu\.csv: column 'MonthlyCharges' holds numbers"):
            contract_main(["infer", str(tmp_path / "eu.csv"), "--params", str(params)])
        return
    contract_main(["infer", str(tmp_path / "eu.csv"), "--params", str(params)])
    contract = Contract.from_yaml(capsys.readouterr().out, "inferred")
    for name, high in (("MonthlyCharges", 117.68), ("TotalCharges", 5204.06)):
        assert (contract.column(name).type, contract.column(name).max) == ("numeric", high)


@pytest.mark.parametrize(
    ("values", "counts"),
    [
        (range(1, 31), True),  # RowNumber
        ([*range(25), *range(25)], True),  # two files, each numbered from 0
        ([float(v) for v in range(1, 31)], True),
        ([*range(1, 15), None, *range(16, 31)], False),  # a gap: not a row number
        ([0, 1] * 15, False),  # a flag that alternates
        (range(1, 11), False),  # too short to tell
        (range(2, 32), False),  # starts neither at 0 nor at 1
        ([3, 17, 4, 9, 12, 1, 6, 2, 30, 11] * 3, False),  # a tenure
    ],
)
def test_numbers_rows_tells_a_row_number_from_a_feature(values, counts):
    assert numbers_rows(pd.Series(list(values))) is counts


def test_a_row_number_feature_is_named_for_review_by_infer_and_validate(tmp_path, capsys):
    """A row number (RowNumber in a bank's churn export) became a model feature unremarked."""
    rows = 40
    export = pd.DataFrame(
        {
            "RowNumber": range(1, rows + 1),
            "tenure": [(7 * k) % 13 for k in range(rows)],
            "churned": [k % 3 == 0 for k in range(rows)],
        }
    )
    export.to_csv(tmp_path / "bank.csv", index=False)
    roles = "  target: churned\n  positive_label: true\n  id: ''\n  timestamp: ''\n"
    out, err = infer_on_command_line(tmp_path / "bank.csv", roles, capsys)
    note = (
        "Review: numbering the rows, describing no customer: 'RowNumber' (delete them here to "
        "keep them out of the model)"
    )
    assert err.splitlines() == [f"contract: {note}"]
    assert f"# {note}\n" in out
    data = DataParams(target="churned", positive_label=1, id="", timestamp="")
    choose_contract("", "data.contract", export, data, tmp_path / "params.yaml")
    assert f"validate: {note}" in capsys.readouterr().out.splitlines()


GROUPED = {  # digits grouped by spaces, as French, Nordic and SI-style exports write them
    "no-break space, decimal comma": (",", "2\u00a0547,96"),
    "narrow no-break space, decimal point": (".", "2\u202f547.96"),
    "space, whole number": (",", "1 234"),
}


@pytest.mark.parametrize(("decimal", "grouped"), GROUPED.values(), ids=list(GROUPED))
def test_numbers_grouped_by_spaces_stop_inference_instead_of_becoming_categories(
    tmp_path, decimal, grouped
):
    """A TotalCharges of '2 547,96' (a no-break space between the groups, as a French
    spreadsheet exports it) became a category column of unique values, __unknown__ in every
    training row: the model could not use the column, and nothing said so."""
    sep, small = (";", "292,52") if decimal == "," else (",", "292.52")
    rows = [f"c{i}{sep}{grouped if i % 3 else small}{sep}{i % 2}" for i in range(30)]
    header = f"customer_id{sep}TotalCharges{sep}churned"
    (tmp_path / "fr.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    data = yaml.safe_load((REPO / "params.yaml").read_text())["data"]
    data.update(id="customer_id", timestamp="", contract="", decimal=decimal)
    (tmp_path / "params.yaml").write_text(yaml.safe_dump({"data": data}))
    hint = f"e.g. {grouped!r}; write them as plain numbers, without spaces between digit groups"
    with pytest.raises(ChurnError, match=rf"column 'TotalCharges' holds .*{re.escape(hint)}\)"):
        contract_main(
            ["infer", str(tmp_path / "fr.csv"), "--params", str(tmp_path / "params.yaml")]
        )
    contract = Contract.from_yaml(NUMERIC.format("nullable: true"), "c.yaml")
    frame = pd.DataFrame({"x": [grouped, grouped, "3"], "churned": [0, 1, 0]})
    with pytest.raises(
        ChurnError, match=rf"^x: column 'x' no longer holds numeric .*{re.escape(hint)};"
    ):
        apply_contract(frame, contract, Policies(), DATA, "x")


def test_a_feature_column_of_iso_dates_is_inferred_as_dates_not_categories():
    """'2024-12-02' text (a CSV's signup_date) was typed categorical, so featurize one-hot
    encoded the dates; a contract's datetime column is left out of the model, and named."""
    frame = FRAME.assign(signup=["2024-12-02", "", "2025-01-31T08:00:00Z"], code=["2024", "A", "B"])
    contract = infer_contract(frame, DATA)
    assert contract.column("signup").type == "datetime"
    assert contract.column("signup").nullable
    assert contract.column("code").type == "categorical"


def test_iso_shaped_text_that_reads_as_no_date_is_not_inferred_as_dates():
    """MySQL's zero date (0000-00-00, "never cancelled") and 2024-02-30 look like ISO 8601 but
    read as no date: typed datetime, validate then stopped on the very data the contract was
    inferred from (column 'cancelled' no longer holds datetime values); they stay categories,
    as before dates were inferred."""
    frame = FRAME.assign(cancelled=["0000-00-00", "0000-00-00", "2024-02-30"])
    contract = infer_contract(frame, DATA)
    assert contract.column("cancelled").type == "categorical"
    apply_contract(frame, contract, Policies(), DATA, "x")  # no stop


@pytest.mark.parametrize(
    "dates",
    [
        ["2024-12-02", "", "2025-01-31T08:00:00Z"],
        pd.to_datetime(["2024-12-02", None, "2025-01-31"]),
    ],
    ids=["iso text", "parquet dates"],
)
def test_a_new_date_column_kept_by_new_column_include_is_typed_as_dates_too(dates):
    """contract.new_column: include kept a new signup_date as text ('2024-12-02 00:00:00' from a
    Parquet date), so featurize one-hot encoded one level per date, where contract inference
    types the same column datetime and featurize leaves it out of the model."""
    frame = FRAME.assign(signup=dates)
    include = Policies(new_column="include")
    result = apply_contract(frame, infer_contract(FRAME, DATA), include, DATA, "x")
    assert pd.api.types.is_datetime64_any_dtype(result.valid["signup"])
    assert check_new_column(frame["signup"], "signup").values.dtype == result.valid["signup"].dtype


def test_text_in_one_month_of_a_number_column_is_no_missing_value(tmp_path, capsys):
    """A month of 'unknown' in a number column made inference write nullable: true (the text,
    coerced to missing, was counted as missing): validate then took words in every other month
    for missing values. Only genuinely missing values make a column nullable; the text is named."""
    months = [f"2026-0{m}-01" for m in (1, 2, 3) for _ in range(4)]
    spend = ["1.5", "2", "3", "4"] * 2 + ["unknown"] * 4
    ids = [f"c{k}" for k in range(12)]
    frame = pd.DataFrame(
        {"customer_id": ids, "month": months, "spend": spend, "churned": [0, 1] * 6}
    )
    contract = infer_contract(frame, DATA)
    spend_entry = contract.column("spend")
    assert (spend_entry.type, spend_entry.nullable) == ("numeric", False)
    note = "'spend' (4 of 12 rows, e.g. 'unknown')"
    assert any(n.startswith("Review: text in number columns") and n.endswith(note)
               for n in contract.notes)  # fmt: skip
    with_blank = frame.assign(spend=[*spend[:11], " "])
    assert infer_contract(with_blank, DATA).column("spend").nullable  # a blank is missing
    frame.to_csv(tmp_path / "export.csv", index=False)
    roles = "  target: churned\n  positive_label: 1\n  id: customer_id\n  timestamp: month\n"
    out, err = infer_on_command_line(tmp_path / "export.csv", roles, capsys)
    assert "nullable: false" in out.split("spend:")[1].split("churned:")[0]
    assert err.startswith("contract: Review: text in number columns") and note in err


def test_infinite_numbers_make_no_column_nullable_and_give_no_range():
    frame = FRAME.assign(tenure=[1.0, float("inf"), 5.0], spend=["2", "-Infinity", "1e400"])
    contract = infer_contract(frame, DATA)
    for name, low, high in (("tenure", 1.0, 5.0), ("spend", 2.0, 2.0)):
        entry = contract.column(name)
        assert (entry.nullable, entry.min, entry.max) == (False, low, high)
