"""Without a contract file (data.contract: ""), batch scoring and the API judge a record by the
contract validate inferred and applied to the training rows (models/contract.yaml), not by looser
rules derived from the feature spec: the same record, the same verdict on both paths."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import numpy as np
import pandas as pd
import pytest
import yaml

from churn import artifacts, predict, validate
from churn.applied_contract import read_applied_contract
from churn.contract import infer_contract
from churn.data_params import Policies
from churn.errors import ChurnError
from churn.params import load_section
from churn.serve import create_app
from churn.serve_settings import Settings
from churn.spec_contract import contract_from_spec
from churn.validation import apply_contract


@pytest.fixture(scope="module")
def inferred(trained, tmp_path_factory) -> Path:
    """A folder holding params with data.contract "" and validate's outputs for the trained
    fixture's ingested data under them, the contract it applied (contract.yaml) among them."""
    root = tmp_path_factory.mktemp("inferred")
    params = yaml.safe_load((trained.root / "params.yaml").read_text())
    params["data"]["contract"] = ""
    (root / "params.yaml").write_text(yaml.safe_dump(params))
    outputs = {"valid-out": "v.parquet", "unlabelled-out": "u.parquet", "metrics": "m.json"}
    outputs |= {"quarantine-out": "q.parquet", "schema": "s.json", "contract-out": "contract.yaml"}
    validate.main(
        [
            *["--input", str(trained.root / "all.parquet"), "--contract", ""],
            *(arg for name, path in outputs.items() for arg in (f"--{name}", str(root / path))),
            *["--params", str(root / "params.yaml")],
        ]
    )
    return root


def settings(trained, root: Path, applied: Path) -> Settings:
    return Settings(
        model=trained.root / "model.json",
        features=trained.root / "features.json",
        params=root / "params.yaml",
        metrics=trained.root / "eval/metrics.json",
        lock=root / "no.lock",
        applied_contract=applied,
    )


def test_validate_writes_the_contract_it_inferred(trained, inferred):
    data = load_section("data", inferred / "params.yaml")
    frame = pd.read_parquet(trained.root / "all.parquet")
    written = read_applied_contract(inferred / "contract.yaml")
    assert written.columns == infer_contract(frame, data).columns
    text = (inferred / "contract.yaml").read_text()
    assert text.startswith(
        f"# Written by validate: the contract it applied (inferred from {trained.root}"
    )


def rule_breakers(trained, inferred) -> tuple[pd.DataFrame, list[str]]:
    """Ten rows of the newest month, each of the first four breaking one rule of the inferred
    contract that the spec's rules allowed, and validate's verdict on each (training's path, ""
    = valid)."""
    contract = read_applied_contract(inferred / "contract.yaml")
    high = contract.column("tenure_months").max + 100
    ingested = pd.read_parquet(trained.root / "all.parquet")  # the newest month has every column
    newest = ingested[ingested["snapshot_month"] == ingested["snapshot_month"].max()]
    frame = newest.head(10).astype(object).reset_index(drop=True)  # 4 of 10 refused: under 50%
    frame.loc[0, "tenure_months"] = None
    frame.loc[1, "tenure_months"] = high
    frame.loc[2, "newsletter_subscribed"] = 2
    frame.loc[3, "country"] = None
    data = load_section("data", inferred / "params.yaml")
    result = apply_contract(frame, contract, Policies(), data, "rows", repeats=False)
    reasons = dict(
        zip(result.rejected["customer_id"], result.rejected["reject_reason"], strict=True)
    )
    return frame, [reasons.get(customer, "") for customer in frame["customer_id"]]


def test_batch_scoring_rejects_what_validate_quarantines(trained, inferred, tmp_path):
    frame, verdicts = rule_breakers(trained, inferred)
    wanted = ["null:tenure_months", "above_max:tenure_months", "type:newsletter_subscribed"]
    assert verdicts == [*wanted, "null:country", *[""] * 6]
    frame.drop(columns=["churned"]).to_csv(tmp_path / "in.csv", index=False)
    predict.main(
        [
            *["--input", str(tmp_path / "in.csv"), "--output", str(tmp_path / "s.parquet")],
            *["--model", str(trained.root / "model.json")],
            *["--features", str(trained.root / "features.json")],
            *["--params", str(inferred / "params.yaml")],
            *["--applied-contract", str(inferred / "contract.yaml")],
        ]
    )
    rejects = pd.read_parquet(tmp_path / "s.rejects.parquet")
    assert rejects["reject_reason"].tolist() == verdicts[:4]
    scored = pd.read_parquet(tmp_path / "s.parquet")["id"]
    assert scored.tolist() == frame["customer_id"][4:].tolist()


async def answers(app, records: list[dict]) -> list[httpx.Response]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
        return [await client.post("/predict", json=record) for record in records]


def test_the_api_refuses_what_validate_quarantines_and_documents_the_rules(trained, inferred):
    frame, verdicts = rule_breakers(trained, inferred)
    app = create_app(settings(trained, inferred, inferred / "contract.yaml"))
    body = json.loads(frame.drop(columns=["churned", "snapshot_month"]).to_json(orient="records"))
    responses = asyncio.run(answers(app, body))
    assert [response.status_code for response in responses] == [422] * 4 + [200] * 6
    for response, verdict in zip(responses[:4], verdicts, strict=False):
        assert verdict.split(":")[1] in response.text
    schema = app.openapi()["components"]["schemas"]["Customer"]
    tenure = schema["properties"]["tenure_months"]
    contract = read_applied_contract(inferred / "contract.yaml")
    assert tenure["maximum"] == contract.column("tenure_months").max
    assert "null" not in json.dumps(tenure)  # required, never null: as the data was


def test_without_the_applied_contract_scoring_refuses_to_start(trained, inferred, tmp_path):
    """It served with the spec's looser rules, saying nothing."""
    absent = tmp_path / "contract.yaml"
    with pytest.raises(ChurnError) as refused:
        create_app(settings(trained, inferred, absent))
    assert str(refused.value).startswith(f"{absent}: the contract validate applied is not there")
    assert "dvc repro" in str(refused.value)


@pytest.mark.parametrize("committed", [True, False])
def test_a_revision_is_scored_by_its_applied_contract_or_says_it_has_none(
    trained, inferred, monkeypatch, capsys, committed
):
    """--rev of a revision made before validate wrote models/contract.yaml is scored by its
    feature spec's rules, as then, and a warning says so."""
    files = {
        "models/model.json": trained.root / "model.json",
        "models/features.json": trained.root / "features.json",
        "params.yaml": inferred / "params.yaml",
        "models/contract.yaml": inferred / "contract.yaml",
    }
    monkeypatch.setattr(artifacts, "resolve_rev", lambda rev: "0123456789")
    monkeypatch.setattr(artifacts, "read_at_rev", lambda path, rev: files[path].read_bytes())
    monkeypatch.setattr(artifacts, "exists_at_rev", lambda path, rev: committed)
    loaded = artifacts.load_revision("models/model.json", "models/features.json", "v1")
    warning = capsys.readouterr().err
    if committed:
        assert loaded.contract == read_applied_contract(inferred / "contract.yaml")
        assert not warning
    else:
        assert loaded.contract == contract_from_spec(trained.spec, "customer_id")
        assert warning.startswith("warning: models/contract.yaml@v1: not there (a revision made")
        assert warning.count("\n") == 1


def test_the_inferred_contract_is_not_the_spec_rules(trained, inferred):
    """What the fix is about: the rules differ (ranges, required values, flag types)."""
    applied = read_applied_contract(inferred / "contract.yaml")
    derived = contract_from_spec(trained.spec, "customer_id")
    column, loose = applied.column("tenure_months"), derived.column("tenure_months")
    assert (column.nullable, loose.nullable) == (False, True)
    assert loose.max is None and np.isfinite(column.max)
    kinds = (
        applied.column("newsletter_subscribed").type,
        derived.column("newsletter_subscribed").type,
    )
    assert kinds == ("boolean", "numeric")
