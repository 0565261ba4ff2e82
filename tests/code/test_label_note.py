"""validate's log on quarantined rows: the reasons beside the count, and a third label value
(neither data.positive_label nor the value read as its opposite) named with its rows, where the
log said only `822 quarantined` and the user could not tell that a quarter of the labelled rows,
`Paused`, had gone to quarantine while `Active` was read as not churned."""

from __future__ import annotations

import pandas as pd
import yaml

from churn.validate import main as validate_main
from tests.code.test_validate_stage import OUTPUTS
from tests.helpers import REPO


def telco_params(folder, labels: list[str]):
    """A telco-style table with these Churn labels (positive 'Churned'), params inferring a
    contract, in folder."""
    rows = len(labels)
    frame = pd.DataFrame(
        {
            "customerID": [f"{i:04d}-AB" for i in range(rows)],
            "tenure": [i % 40 for i in range(rows)],
            "Churn": labels,
        }
    )
    frame.to_parquet(folder / "in.parquet")
    params = yaml.safe_load((REPO / "params.yaml").read_text())
    params["data"].update(target="Churn", id="customerID", timestamp="", contract="")
    params["data"]["positive_label"] = "Churned"
    (folder / "params.yaml").write_text(yaml.safe_dump(params))
    return folder / "params.yaml"


def run_validate(folder, params) -> None:
    argv = ["--input", str(folder / "in.parquet"), "--params", str(params)]
    validate_main([*argv, *(a for name in OUTPUTS for a in (f"--{name}", str(folder / name)))])


def test_a_third_label_value_is_named_with_its_rows_and_the_labels_read(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)
    labels = ["Churned"] * 20 + ["Active"] * 50 + ["Paused"] * 30
    run_validate(tmp_path, telco_params(tmp_path, labels))
    out, err = capsys.readouterr()
    assert "30 quarantined (invalid_label:Churn 30);" in out
    warning = [line for line in err.splitlines() if "invalid_label" in line]
    assert warning == [
        "validate: warning: 30 row(s) quarantined as invalid_label:Churn, labelled neither "
        "'Churned' (data.positive_label) nor 'Active' (read as not churned): 'Paused' (30); "
        "to read them as not churned, list every label value under the categories of column "
        "'Churn' in a contract (data.contract)"
    ]


def test_labels_that_are_all_read_give_no_warning(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    run_validate(tmp_path, telco_params(tmp_path, ["Churned"] * 20 + ["Active"] * 80))
    out, err = capsys.readouterr()
    assert "0 quarantined;" in out
    assert "invalid_label" not in err


def test_the_reasons_are_listed_most_first():
    from churn.label_note import reasons_note

    reasons = {"missing_label:Churn": 1, "invalid_label:Churn": 5, "null:tenure": 5}
    assert reasons_note(reasons) == " (invalid_label:Churn 5, null:tenure 5, missing_label:Churn 1)"
    assert reasons_note({}) == ""


def test_a_label_holding_a_line_break_is_named_on_one_line(tmp_path, monkeypatch, capsys):
    """A quoted CSV cell 'Pau\\nsed' split the warning over two lines (no file or column on
    the second); it is escaped, and a long value cut, as other errors show values."""
    monkeypatch.chdir(tmp_path)
    labels = ["Churned"] * 20 + ["Active"] * 50 + ["Pau\nsed"] * 20 + ["x" * 300] * 10
    run_validate(tmp_path, telco_params(tmp_path, labels))
    warning = [line for line in capsys.readouterr().err.splitlines() if "invalid_label" in line]
    assert len(warning) == 1 and "'Pau\\nsed' (20), 'xxxx" in warning[0]
    assert "x" * 41 not in warning[0]
