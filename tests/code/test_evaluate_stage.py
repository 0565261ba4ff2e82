"""The evaluate stage end to end on a toy model: its outputs depend on what DVC tracks."""

from __future__ import annotations

import dataclasses
import json
import warnings

import pytest
import yaml

from churn.errors import ChurnError
from churn.evaluate import main
from churn.model import save_model
from churn.train import fit_model
from tests.code.test_model import PARAMS, toy_frame
from tests.helpers import REPO

SLICES = {"low_x": "x < 0", "high_x": "x >= 0", "high_z": "z > 0.5"}


def write_params(path, slices: dict[str, str]) -> None:
    """The repository's params.yaml with the toy data's label and the given slices."""
    params = yaml.safe_load((REPO / "params.yaml").read_text())
    params["data"]["target"] = "y"
    params["evaluate"]["slices"] = slices
    path.write_text(yaml.safe_dump(params, sort_keys=False))


def test_the_order_of_the_slices_in_params_changes_no_byte_of_the_metrics(tmp_path):
    """DVC compares the evaluate.slices mapping whatever its order: reordered slices left
    `dvc status` up to date, while evaluate wrote them in the new order (metrics.json's md5,
    which dvc.lock holds, changed on the next forced run)."""
    frame = toy_frame(rows=600)
    params = dataclasses.replace(PARAMS, monotone_increasing=[])
    save_model(fit_model(frame[:400], frame[400:500], "y", params, 0), tmp_path / "model.json")
    frame[500:].to_parquet(tmp_path / "test.parquet")
    written = []
    for run, slices in enumerate((SLICES, dict(reversed(SLICES.items())))):
        write_params(tmp_path / f"params{run}.yaml", slices)
        live, test = tmp_path / f"live{run}", str(tmp_path / "test.parquet")
        main(
            [
                *("--model", str(tmp_path / "model.json"), "--test", test, "--raw-test", test),
                *("--live-dir", str(live), "--params", str(tmp_path / f"params{run}.yaml")),
            ]
        )
        written.append((live / "metrics.json").read_bytes())
    assert written[0] == written[1]


def test_a_test_matrix_with_text_labels_is_refused_in_one_line_one_class_is_not(tmp_path, capsys):
    """Text labels were a TypeError traceback from the metrics; a month without churners is a
    test month still (its ranking metrics and curves are left out, said in one line: sklearn's
    multi-line warnings and `ROC AUC nan` were what the user saw)."""
    frame = toy_frame(rows=600)
    params = dataclasses.replace(PARAMS, monotone_increasing=[])
    save_model(fit_model(frame[:400], frame[400:500], "y", params, 0), tmp_path / "model.json")
    write_params(tmp_path / "params.yaml", SLICES)
    args = ["--model", str(tmp_path / "model.json"), "--params", str(tmp_path / "params.yaml")]
    for name, labels in (("text", frame.y.map({0: "no", 1: "yes"})), ("none", frame.y * 0)):
        test = tmp_path / f"{name}.parquet"
        frame[500:].assign(y=labels[500:]).to_parquet(test)
        args += ["--test", str(test), "--raw-test", str(test), "--live-dir", str(tmp_path / name)]
        if name == "text":
            with pytest.raises(ChurnError, match="text.parquet: column 'y' .* not 0/1 labels"):
                main(args)
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                main(args)
            assert capsys.readouterr().out.endswith("ROC AUC n/a (one class only: no curves)\n")
            assert (tmp_path / "none" / "metrics.json").is_file()
            for plot in (tmp_path / "none" / "plots" / "custom").glob("*.json"):
                json.loads(plot.read_text(), parse_constant=pytest.fail)  # no NaN: strict JSON
