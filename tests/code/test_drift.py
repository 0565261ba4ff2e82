"""Drift statistics and decision on small synthetic samples; the check CLI's exit codes."""

import json
import sys
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from churn.data_params import DataParams, Policies
from churn.drift import drift_report, main
from churn.drift_decision import is_drifted
from churn.drift_plots import LEVELS_SHOWN, shown_shares
from churn.drift_reasons import decide
from churn.drift_stats import categorical_stats, numeric_stats
from churn.drift_window import latest_months, skipped_report, snapshot_names, stage_window
from churn.errors import ChurnError
from churn.features import FeatureSpec
from churn.params import DriftParams
from tests.fork_server import run_module

DATA = DataParams("churned", 1, "customer_id", "month", "contracts/churn.yaml")
PARAMS = DriftParams(100, 50, 0.01, 0.2, 0.1, 0.1, 0.01, 0.05, 0.1, 0.03)
SMALL = DriftParams(100, 1000, 0.01, 0.2, 0.1, 0.1, 0.01, 0.05, 0.1, 0.03)  # p-values below 1000
SPEC = FeatureSpec(["spend"], {"plan": ["free", "plus", "__missing__", "__unknown__"]}, [])
SPEC_KINDS = {"spend": "numeric", "plan": "categorical"}  # as churn.drift.model_info reads SPEC
USES_SPEND_AND_PLAN = ({}, SPEC_KINDS, {})
IGNORE = Policies()  # contract.new_column: ignore, missing_column: fail


def batch(rng, n, shift=0.0, plans=("free", "plus")) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": [f"c{i}" for i in range(n)],
            "spend": rng.normal(50 + shift, 10, n),
            "plan": rng.choice(plans, n),
            "churned": rng.integers(0, 2, n),
        }
    )


def test_identical_samples_show_no_drift_and_a_shift_does():
    rng = np.random.default_rng(0)
    same = pd.Series(rng.normal(0, 1, 5000))
    assert numeric_stats(same, same, small=False) == {"psi": 0.0, "wasserstein": 0.0}
    moved = numeric_stats(same, same + 1.0, small=False)
    assert moved["psi"] > 0.25 and 0.9 < moved["wasserstein"] < 1.1


def test_categorical_unseen_share_and_js():
    reference = pd.Series(["a", "b"] * 50)
    current = pd.Series(["a"] * 50 + ["c"] * 50)
    result = categorical_stats(reference, current, small=True)
    assert result["unseen_share"] == 0.5
    assert result["js"] > 0.3 and result["p_value"] < 0.01


def test_small_samples_need_a_significant_test_too():
    row = {"psi": 0.3, "p_value": 0.2, "missing_rate_change": 0.0}
    assert not is_drifted(row, PARAMS)
    assert is_drifted(row | {"p_value": 0.001}, PARAMS)
    assert is_drifted({"psi": 0.0, "p_value": 0.9, "missing_rate_change": 0.2}, PARAMS)
    missing = {"psi": 0.0, "p_value": 0.9, "missing_rate_change": 0.06, "missing_p_value": 0.05}
    assert not is_drifted(missing, PARAMS)  # a small-sample missing-rate change needs p < 0.01
    assert is_drifted(missing | {"missing_p_value": 0.001}, PARAMS)


def with_missing(values: pd.Series, share: float) -> pd.Series:
    """The values with the first share of the rows blanked."""
    return values.where(np.arange(len(values)) >= round(share * len(values)))


@pytest.mark.parametrize(("current_share", "drifted"), [(0.36, False), (0.5, True)])
def test_a_small_sample_missing_rate_change_must_be_significant(current_share, drifted):
    rng = np.random.default_rng(6)
    reference = batch(rng, 600)
    current = reference.assign(spend=with_missing(reference["spend"], current_share))
    reference = reference.assign(spend=with_missing(reference["spend"], 0.3))
    row = drift_report(reference, current, SMALL, DATA, ({}, None, {}), IGNORE)["features"]["spend"]
    assert round(row["missing_rate_change"], 2) == round(current_share - 0.3, 2)
    assert row["drifted"] is drifted and (row["missing_p_value"] < 0.01) is drifted


def test_importance_weighted_drift_alone_can_warrant_retraining():
    table = {f"f{i}": {"psi": 0.0, "importance": 0.0, "drifted": False} for i in range(19)}
    table["key"] = {"psi": 0.25, "importance": 0.5, "drifted": True}
    drift, reason = decide(table, [], PARAMS, "contract.new_column: ignore")
    assert drift and "important feature(s) drifted: key" in reason


def quiet_features(count: int) -> dict[str, dict]:
    """Table rows of features that did not drift."""
    row = {"psi": 0.0, "missing_rate_change": 0.0, "importance": 0.0, "drifted": False}
    return {f"f{i}": dict(row) for i in range(count)}


@pytest.mark.parametrize(("importance", "retrain"), [(0.35, True), (0.005, False)])
def test_an_important_feature_going_all_missing_warrants_retraining(importance, retrain):
    """orders_90d (importance 0.35) all missing was "drifted but minor": with no values left, PSI
    and Wasserstein are 0, and the missing-rate change never counted in the weighted score. It
    counts scaled so that drift.missing_rate_change (0.05) weighs as drift.psi (0.2): 1.0 as 4."""
    table = quiet_features(19)
    table["key"] = {"psi": 0.0, "wasserstein": 0.0, "missing_rate_change": 1.0}
    table["key"] |= {"importance": importance, "drifted": True}
    drift, reason = decide(table, [], PARAMS, "contract.new_column: ignore")
    assert drift is retrain, reason
    assert ("important feature(s) drifted: key" if retrain else "drifted but minor: key") in reason


def test_a_missing_rate_change_weighs_only_when_it_drifted():
    """Not significant in a small sample, it does not count towards the feature's effect."""
    table = quiet_features(19)
    table["key"] = {"psi": 0.25, "p_value": 0.001, "missing_rate_change": 0.2}
    table["key"] |= {"missing_p_value": 0.5, "importance": 0.1, "drifted": True}
    # 0.25 x 0.1 = 0.025, not 0.8 x 0.1
    assert not decide(table, [], PARAMS, "contract.new_column: ignore")[0]
    table["key"]["missing_p_value"] = 0.001
    assert decide(table, [], PARAMS, "contract.new_column: ignore")[0]


def with_video(frame: pd.DataFrame, rng) -> pd.DataFrame:
    return frame.assign(video=rng.gamma(2.0, 3.0, len(frame)))


@pytest.mark.parametrize(
    ("policy", "drift", "says"),
    [
        ("ignore", False, "video not used by the model (contract.new_column: ignore): not a "),
        ("fail", False, "video not used by the model (contract.new_column: fail): not a retrain"),
        ("include", True, "new column(s) video: schema change, retrain (contract.new_column: incl"),
    ],
)
def test_a_column_the_model_leaves_out_by_policy_is_reported_not_a_retrain_trigger(
    policy, drift, says
):
    rng = np.random.default_rng(7)
    same = with_video(batch(rng, 2000), rng)
    report = drift_report(same, same, PARAMS, DATA, USES_SPEND_AND_PLAN, Policies(policy))
    assert report["drift"] is drift and says in report["reason"], report["reason"]
    assert report["ignored_columns"] == ([] if drift else ["video"])
    assert report["new_columns"] == (["video"] if drift else [])
    row = report["features"]["video"]
    assert row.get("ignored_column", False) is not drift and row.get("new_column", False) is drift
    assert report["share_drifted"] == (round(1 / 3, 6) if drift else 0)  # of spend, plan(, video)


def test_a_column_featurize_left_out_as_constant_is_no_retrain_trigger_under_include():
    """Retraining would leave it out again (every value rarer than min_category_count, say): the
    alarm could never clear."""
    rng = np.random.default_rng(7)
    same = with_video(batch(rng, 2000), rng)
    left_out = ({}, SPEC_KINDS, {"video": "one value, 3, in every training row"})
    report = drift_report(same, same, PARAMS, DATA, left_out, Policies("include"))
    assert not report["drift"] and report["new_columns"] == []
    assert report["ignored_columns"] == ["video"]


@pytest.mark.parametrize("policy", ["ignore", "include"])
def test_a_column_featurize_left_out_is_named_so_not_as_the_new_column_setting(policy):
    """A date or constant column featurize left out was reported as `not used by the model
    (contract.new_column: ignore)`, a setting that plays no part for it."""
    rng = np.random.default_rng(7)
    same = with_video(batch(rng, 2000), rng)
    left_out = ({}, SPEC_KINDS, {"video": "one value, 3, in every training row"})
    reason = drift_report(same, same, PARAMS, DATA, left_out, Policies(policy))["reason"]
    assert "; left out by featurize: video (one value, 3, in every training row): not a " in reason
    assert "not a retrain trigger" in reason and "contract.new_column" not in reason, reason
    assert "video (one value, 3, in every training row)" in reason, reason


NEW_COLUMN_SAYS = {
    "ignore": "video not used by the model (contract.new_column: ignore): not a retrain trigger; "
    "to use it, set contract.new_column: include",
    "fail": "video not used by the model (contract.new_column: fail): not a retrain trigger; "
    "validate stops on it until the contract lists it",
    "include": "new column(s) video: schema change, retrain (contract.new_column: include)",
}


ARRIVING = (
    "video in the current data only: retraining trains on it once data with it is in training, "
    "not a retrain trigger yet"
)


@pytest.mark.parametrize("model", [USES_SPEND_AND_PLAN, ({}, None, {})], ids=["spec", "no spec"])
@pytest.mark.parametrize("policy", list(NEW_COLUMN_SAYS))
def test_a_column_only_the_current_data_has_is_no_retrain_trigger_yet(model, policy):
    """April against May (video new in May): retraining then tests on May and trains on the
    months before, where the column has no values: featurize leaves it out again. It said
    RETRAIN under include (and, before that, under ignore too); a month later, when retraining
    would add it, it said nothing."""
    rng = np.random.default_rng(8)
    reference, current = batch(rng, 2000), with_video(batch(rng, 2000), rng)
    report = drift_report(reference, current, PARAMS, DATA, model, Policies(policy))
    says = ARRIVING if policy == "include" else NEW_COLUMN_SAYS[policy]
    assert not report["drift"] and says in report["reason"], report["reason"]
    assert report["new_columns"] == [] and report["ignored_columns"] == ["video"]
    assert report["features"]["video"].get("ignored_column") is True


@pytest.mark.parametrize("contract", ["contracts/churn.yaml", ""], ids=["include", "inferred"])
def test_a_column_both_sides_have_that_the_model_lacks_is_a_retrain_trigger(contract):
    """May against June: retraining trains on May's values now. With an inferred contract
    (data.contract "") validate infers the column as a feature at each run, whatever
    contract.new_column says."""
    rng = np.random.default_rng(8)
    reference, current = with_video(batch(rng, 2000), rng), with_video(batch(rng, 2000), rng)
    data, policies = replace(DATA, contract=contract), Policies("include" if contract else "ignore")
    report = drift_report(reference, current, PARAMS, data, USES_SPEND_AND_PLAN, policies)
    assert report["drift"] and report["new_columns"] == ["video"]
    setting = 'data.contract: "", inferred from the data' if not contract else "contract.new_"
    assert report["reason"].startswith(f"new column(s) video: schema change, retrain ({setting}")


def test_a_contract_column_featurize_left_out_as_all_missing_is_new_once_the_reference_has_it():
    """The contract lists it (featurize saw it, missing in every training row): retraining on
    data where it has values trains on it, whatever contract.new_column says; the model kept it
    out, so a month later the check said 'not used by the model': no retraining ever adopted it."""
    rng = np.random.default_rng(8)
    left_out = ({}, SPEC_KINDS, {"video": "missing in every training row"})
    current = with_video(batch(rng, 2000), rng)
    for reference, new in ((batch(rng, 2000).assign(video=np.nan), []), (current, ["video"])):
        report = drift_report(reference, current, PARAMS, DATA, left_out, IGNORE)
        assert report["drift"] is bool(new) and report["new_columns"] == new


def test_a_batch_below_the_minimum_size_is_refused():
    rng = np.random.default_rng(1)
    with pytest.raises(ChurnError, match="current data has 20 rows; drift.min_rows is 100"):
        drift_report(batch(rng, 500), batch(rng, 20), PARAMS, DATA, ({}, None, {}), IGNORE)


def write_params(folder, policy: str = "ignore") -> None:
    contract = Policies(new_column=policy).__dict__
    params = {"data": DATA.__dict__, "drift": PARAMS.__dict__, "contract": contract}
    (folder / "params.yaml").write_text(json.dumps(params))


def run_check(tmp_path, reference, current, *options: str, policy: str = "ignore"):
    reference.to_csv(tmp_path / "reference.csv", index=False)
    current.to_csv(tmp_path / "current.csv", index=False)
    write_params(tmp_path, policy)
    command = [sys.executable, "-m", "churn.drift", "check", "--reference", "reference.csv"]
    command += ["--current", "current.csv", "--params", "params.yaml", "--out", "drift.json"]
    command += options
    return run_module(command, cwd=tmp_path)


def test_check_cli_exit_codes(tmp_path):
    rng = np.random.default_rng(2)
    reference = batch(rng, 5000)
    assert run_check(tmp_path, reference, batch(rng, 5000)).returncode == 0
    shifted = run_check(tmp_path, reference, batch(rng, 5000, shift=8.0, plans=("free", "gold")))
    assert shifted.returncode == 1, shifted.stderr
    report = json.loads((tmp_path / "drift.json").read_text())
    assert report["drift"] and report["features"]["spend"]["drifted"]
    assert report["features"]["plan"]["unseen_share"] > 0.4
    bad = run_check(tmp_path, reference, batch(rng, 10))
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    expected = "churn.drift: error: current.csv has 10 rows; drift.min_rows is 100"
    assert bad.stderr.strip() == expected


def run_main(folder, *argv: str, policy: str = "ignore") -> dict:
    """churn.drift's main in folder (params.yaml written there); the drift.json it wrote."""
    write_params(folder, policy)
    main([*argv, "--params", str(folder / "params.yaml"), "--out", str(folder / "drift.json")])
    return json.loads((folder / "drift.json").read_text())


@pytest.mark.parametrize("policy", ["ignore", "include"])
def test_check_exits_1_for_a_column_the_model_lacks_only_under_include_once_both_sides_have_it(
    tmp_path, monkeypatch, policy
):
    """`drift check` of April against May (time_spent_on_video_tutorials new in May) exited 1
    and fired the retraining pull request for nothing: retraining could not use the column yet
    (under ignore, ever)."""
    monkeypatch.chdir(tmp_path)
    rng = np.random.default_rng(9)
    batch(rng, 1000).to_csv("april.csv", index=False)
    with_video(batch(rng, 1000), rng).to_csv("may.csv", index=False)
    with_video(batch(rng, 1000), rng).to_csv("june.csv", index=False)
    (tmp_path / "features.json").write_text(SPEC.to_json())
    argv = ["check", "--reference", "april.csv", "--current", "may.csv"]
    argv += ["--features", "features.json"]
    assert run_main(tmp_path, *argv, policy=policy)["ignored_columns"] == ["video"]
    argv[2:5] = ["may.csv", "--current", "june.csv"]
    if policy == "ignore":
        assert run_main(tmp_path, *argv, policy=policy)["ignored_columns"] == ["video"]
    else:
        with pytest.raises(SystemExit, match="1"):
            run_main(tmp_path, *argv, policy=policy)


@pytest.mark.parametrize("policy", ["ignore", "include"])
def test_check_reads_the_policy_for_a_column_the_model_ignores(tmp_path, monkeypatch, policy):
    monkeypatch.chdir(tmp_path)  # no models/ here: only the feature spec given
    rng = np.random.default_rng(9)
    with_video(batch(rng, 1000), rng).to_csv("same.csv", index=False)
    (tmp_path / "features.json").write_text(SPEC.to_json())
    argv = ["check", "--reference", "same.csv", "--current", "same.csv"]
    argv += ["--features", "features.json"]
    if policy == "ignore":  # identical data: exit 0 (the alarm used to stay on for good)
        assert run_main(tmp_path, *argv, policy=policy)["ignored_columns"] == ["video"]
    else:
        with pytest.raises(SystemExit, match="1"):  # retraining would add the column
            run_main(tmp_path, *argv, policy=policy)


@pytest.mark.parametrize(
    ("timestamp", "months", "reason"),
    [
        ("", ["2026-01-01"] * 2, "no snapshots to compare (data.timestamp: '')"),
        ("month", ["2026-01-01"] * 2, "training window 0 rows, newest snapshot 1000 rows"),
        ("month", ["2026-01-01", "2026-02-01"], None),
    ],
)
def test_the_stage_skips_and_says_why_when_there_is_nothing_to_compare(timestamp, months, reason):
    rng = np.random.default_rng(3)
    frame = pd.concat([batch(rng, 500).assign(month=month) for month in months])
    data = DataParams("churned", 1, "customer_id", timestamp)
    reference, current, skip = stage_window(frame, PARAMS, data)
    if reason is None:  # two snapshots of 500 rows: compared
        assert skip is None and len(reference) == len(current) == 500
    else:
        assert skip.startswith(reason)
        report = skipped_report(skip, len(reference), len(current))
        assert report["skipped"] and report["drift"] is False and report["features"] == {}
        assert report["reason"] == f"skipped: {skip}"


def months_frame(rng, newest_labelled: bool) -> pd.DataFrame:
    """Three snapshots of 600 rows; the newest without labels unless newest_labelled."""
    months = ["2026-01-01", "2026-02-01", "2026-03-01"]
    frame = pd.concat([batch(rng, 600).assign(month=month) for month in months])
    frame = frame.reset_index(drop=True).astype({"churned": "Float64"})
    if not newest_labelled:
        frame.loc[frame["month"] == months[-1], "churned"] = None
    return frame


@pytest.mark.parametrize(
    ("newest_labelled", "window"),
    [(True, ["2026-02-01"]), (False, ["2026-01-01"])],  # the latest training month; Feb: the test
)
def test_the_training_window_leaves_out_the_test_month_when_the_newest_is_unlabelled(
    newest_labelled, window
):
    frame = months_frame(np.random.default_rng(10), newest_labelled)
    reference, current, skip = stage_window(frame, PARAMS, DATA)
    assert skip is None and sorted(reference["month"].unique()) == window
    assert list(current["month"].unique()) == ["2026-03-01"]


def trend_months(rng, count: int) -> pd.DataFrame:
    """count monthly snapshots of 5000 rows whose spend rises by 0.04 of its spread a month."""
    months = [f"2026-{month:02d}-01" for month in range(1, count + 1)]
    return pd.concat(
        [batch(rng, 5000, shift=0.4 * k).assign(month=m) for k, m in enumerate(months)],
        ignore_index=True,
    )


def test_a_steady_trend_does_not_flag_again_right_after_retraining():
    """The reference was every training month, whose average lags a trend by half the window:
    after each retraining the newest month differed from it more than the month before had
    (the built-in discount_share: Wasserstein 0.23, 0.26, 0.30, 0.34 in months 7 to 10), so the
    drift stage said RETRAIN for the model just retrained, forever. Against the latest training
    month a trend is flagged only as it builds up beyond the model's data."""
    frame = trend_months(np.random.default_rng(30), 8)
    reference, current, skip = stage_window(frame, PARAMS, DATA)
    assert skip is None and list(reference["month"].unique()) == ["2026-07-01"]
    report = drift_report(reference, current, PARAMS, DATA, USES_SPEND_AND_PLAN, IGNORE)
    assert report["drift"] is False, report["reason"]
    stale = frame[frame["month"].isin(["2026-01-01", "2026-08-01"])]  # a model months old
    reference, current, _ = stage_window(stale, PARAMS, DATA)
    report = drift_report(reference, current, PARAMS, DATA, USES_SPEND_AND_PLAN, IGNORE)
    assert report["drift"] is True and report["features"]["spend"]["drifted"]


def test_the_reference_reaches_back_to_make_drift_min_rows():
    """Months smaller than drift.min_rows: the latest training months that make it, else all."""
    months = pd.Series(
        pd.PeriodIndex(["2026-01"] * 300 + ["2026-02"] * 300 + ["2026-03"] * 300, freq="M")
    )
    assert latest_months(months, 200) == pd.Period("2026-03", freq="M")
    assert latest_months(months, 500) == pd.Period("2026-02", freq="M")
    assert latest_months(months, 5000) == pd.Period("2026-01", freq="M")
    # exactly drift.min_rows in the latest month is enough: no month more
    assert latest_months(months, 300) == pd.Period("2026-03", freq="M")
    assert latest_months(months, 600) == pd.Period("2026-02", freq="M")


def test_the_stage_report_names_its_snapshots(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    months_frame(np.random.default_rng(11), False).to_parquet("customers.parquet")
    report = run_main(tmp_path, "stage", "--data", "customers.parquet")
    assert report["reference_snapshots"] == ["2026-01"] and report["reference_rows"] == 600
    assert report["current_snapshots"] == ["2026-03"] and report["current_rows"] == 600


def test_snapshots_are_named_as_months_however_the_dates_spread():
    """Daily data listed every date of the window (150 names for five months)."""
    days = pd.Series(pd.date_range("2026-01-01", "2026-05-31", freq="D").repeat(2))
    frame = pd.DataFrame({"day": days.astype(str).where(days.dt.day != 9)})  # some dates missing
    assert snapshot_names(frame, "day") == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05"]
    assert snapshot_names(frame, "") == [] and snapshot_names(frame, "month") == []


def test_the_stage_refuses_a_timestamp_or_id_the_data_lacks():
    rng = np.random.default_rng(4)
    frame = batch(rng, 500).assign(month="2026-01-01")
    for data, role in ((DataParams("churned", 1, "customer_id", "mnth"), "timestamp"),
                       (DataParams("churned", 1, "customerid", "month"), "id")):  # fmt: skip
        with pytest.raises(ChurnError, match=rf"^c.parquet: column '\w+' \(data.{role}\) not"):
            stage_window(frame, PARAMS, data, "c.parquet")


@pytest.mark.parametrize("option", ["--model", "--features"])
def test_check_refuses_a_model_or_feature_spec_path_that_does_not_exist(tmp_path, option):
    rng = np.random.default_rng(5)
    result = run_check(tmp_path, batch(rng, 500), batch(rng, 500), option, "nope.json")
    assert result.returncode == 2
    assert result.stderr.strip() == f"churn.drift: error: nope.json: file not found ({option})"
    (tmp_path / "models").mkdir()  # said "models: file not found" of a folder that is there
    result = run_check(tmp_path, batch(rng, 500), batch(rng, 500), option, "models")
    assert result.returncode == 2
    assert result.stderr.strip() == "churn.drift: error: models: a folder, not a file"


@pytest.mark.parametrize(
    ("newest_labelled", "window"),
    [(True, {2}), (False, {1})],  # the latest training month (Feb: the test month)
)
def test_the_newest_snapshot_is_the_whole_latest_calendar_month(newest_labelled, window):
    """Dates spread within each month: the newest snapshot was the rows of the last date only,
    and the rest of that month was counted in the training window."""
    frame = months_frame(np.random.default_rng(12), newest_labelled)
    days = pd.to_timedelta(np.arange(len(frame)) % 28, unit="D")
    frame["month"] = (pd.to_datetime(frame["month"]) + days).dt.strftime("%Y-%m-%d")
    reference, current, skip = stage_window(frame, PARAMS, DATA)
    assert skip is None and len(current) == 600
    assert set(pd.to_datetime(current["month"]).dt.month) == {3}
    assert set(pd.to_datetime(reference["month"]).dt.month) == window
    assert len(reference) == 600 * len(window)


def test_a_column_of_hundreds_of_rare_levels_does_not_drift_by_sampling_noise():
    """Cities, zip codes: 300 levels of ~10 rows each. A current batch drawn from the reference
    itself had JS 0.22 and PSI 0.28 (drifted) from noise alone, and two such columns made
    `drift check` say RETRAIN; rare levels are now one bin. A real shift still shows."""
    rng = np.random.default_rng(0)
    reference = pd.Series(rng.choice([f"city{i}" for i in range(300)], 3000))
    same = categorical_stats(reference, reference.iloc[:1000], small=False)
    assert same["psi"] < PARAMS.psi and same["js"] < PARAMS.js and same["unseen_share"] == 0
    mixed = pd.concat([pd.Series(["capital"] * 3000), reference], ignore_index=True)
    moved = categorical_stats(mixed, mixed.iloc[2000:4000], small=False)  # capital 50% -> 50%
    assert moved["psi"] < PARAMS.psi
    shifted = categorical_stats(mixed, mixed.iloc[3000:5000], small=False)  # capital 50% -> 0%
    assert shifted["psi"] > PARAMS.psi and shifted["js"] > PARAMS.js


def test_a_column_of_mostly_unique_values_shows_no_unseen_drift_but_a_new_level_does():
    """Zip codes, 5000 levels: two thirds of each new month's values were never seen in the
    training window, so unseen_share 0.67 and PSI 6.6 flagged two such columns every month
    (RETRAIN) from one and the same distribution."""
    rng = np.random.default_rng(1)
    zips = np.array([f"Z{i:05d}" for i in range(5000)])
    reference, current = pd.Series(rng.choice(zips, 2000)), pd.Series(rng.choice(zips, 1000))
    same = categorical_stats(reference, current, small=False)
    assert same["unseen_share"] < PARAMS.unseen_share
    assert same["psi"] < PARAMS.psi and same["js"] < PARAMS.js
    current.iloc[:200] = "new plan"
    changed = categorical_stats(reference, current, small=False)
    assert changed["unseen_share"] > PARAMS.unseen_share  # 0.73 unseen where 0.67 are expected


def test_a_plot_of_hundreds_of_levels_shows_the_largest_changes_and_one_other_bar():
    """One bar per level made a 300-city plot unreadable."""
    levels = [f"city{k:03d}" for k in range(300)]
    ref = pd.Series(1 / 300, index=levels)
    cur = ref.copy()
    cur["city123"], cur["city007"] = cur["city123"] + 0.05, cur["city007"] - 0.002
    cur /= cur.sum()
    ref_shown, cur_shown = shown_shares(ref, cur)
    assert len(ref_shown) == len(cur_shown) == LEVELS_SHOWN
    assert list(ref_shown.index) == list(cur_shown.index)
    assert "city123" in cur_shown.index and cur_shown.index[-1] == "other (286 levels)"
    assert ref_shown.sum() == pytest.approx(1) and cur_shown.sum() == pytest.approx(1)
    few = pd.Series({"b": 0.5, "a": 0.5})
    assert list(shown_shares(few, few.iloc[:1])[1].index) == ["a", "b"]  # all, by name


def test_exactly_drift_share_drifted_of_the_features_drifting_warrants_retraining():
    """drift.share_drifted is the share at which the dataset drifted (2 of 20 at 0.1), not one
    it must exceed; one feature fewer, each unimportant, is minor."""
    table = quiet_features(20)
    for name in ("f0", "f1"):
        table[name] |= {"psi": 0.3, "drifted": True}
    drift, reason = decide(table, [], PARAMS, "contract.new_column: ignore")
    assert drift and reason == "2 of 20 features drifted (>= 0.1)"
    table["f1"] |= {"psi": 0.0, "drifted": False}
    assert decide(table, [], PARAMS, "contract.new_column: ignore") == (
        False,
        "no retraining needed: 1 of 20 features drifted; drifted but minor: f0",
    )


def test_one_side_below_small_sample_rows_gets_p_values_however_large_the_other():
    """A 600-row batch against a 5000-row reference is a small sample: its effect sizes are
    noise unless significant (drift.small_sample_rows is per side)."""
    rng = np.random.default_rng(8)
    reference, current = batch(rng, 5000), batch(rng, 600)
    report = drift_report(reference, current, SMALL, DATA, USES_SPEND_AND_PLAN, IGNORE)
    assert "p_value" in report["features"]["spend"] and "p_value" in report["features"]["plan"]
    assert "missing_p_value" in report["features"]["spend"]
    large = drift_report(reference, batch(rng, 1000), SMALL, DATA, USES_SPEND_AND_PLAN, IGNORE)
    assert "p_value" not in large["features"]["spend"]


def test_a_fall_in_the_missing_rate_drifts_as_a_rise_does():
    """A column that used to be half blank and now always has a value changed as much as one
    going the other way (a fixed export, a new default)."""
    assert is_drifted({"psi": 0.0, "missing_rate_change": -0.2}, PARAMS)
    assert not is_drifted({"psi": 0.0, "missing_rate_change": -0.04}, PARAMS)
    rng = np.random.default_rng(9)
    reference = batch(rng, 2000)
    reference = reference.assign(spend=with_missing(reference["spend"], 0.5))
    current = batch(rng, 2000)
    row = drift_report(reference, current, PARAMS, DATA, USES_SPEND_AND_PLAN, IGNORE)["features"]
    assert row["spend"]["missing_rate_change"] == -0.5 and row["spend"]["drifted"]


def test_a_drifted_column_the_model_ignores_counts_in_no_share():
    """share_drifted is the share of the model's features: a column the contract leaves out
    (contract.new_column: ignore) may drift without raising it."""
    rng = np.random.default_rng(10)
    reference = with_video(batch(rng, 2000), rng)
    current = reference.assign(video=reference["video"] * 3 + 10)
    report = drift_report(reference, current, PARAMS, DATA, USES_SPEND_AND_PLAN, IGNORE)
    assert report["features"]["video"]["drifted"] and report["ignored_columns"] == ["video"]
    assert report["share_drifted"] == 0.0 and report["drift"] is False


def test_a_model_column_with_values_now_that_the_reference_lacked_is_a_new_column():
    """The model reads spend, and the training window held no value of it: the new values are
    a schema change to retrain for, named as a new column, not only a missing-rate change."""
    rng = np.random.default_rng(11)
    reference, current = batch(rng, 2000).assign(spend=np.nan), batch(rng, 2000)
    report = drift_report(reference, current, PARAMS, DATA, USES_SPEND_AND_PLAN, IGNORE)
    assert report["new_columns"] == ["spend"] and report["features"]["spend"]["new_column"]
    assert report["drift"] and report["reason"].startswith("new column(s) spend: schema change")


def test_a_column_whose_name_holds_an_equals_sign_gets_its_one_hot_levels_importance(tmp_path):
    from churn.drift import model_info
    from churn.model import LogisticModel, save_model

    spec = FeatureSpec(["spend"], {"plan=tier": ["free", "__missing__", "__unknown__"]}, [])
    names = spec.feature_names  # spend, plan=tier=free, plan=tier=__missing__, ...
    model = LogisticModel(names, [0.0] * 4, [0.0] * 4, [1.0] * 4, [1.0, 3.0, 0.0, 0.0], 0.0)
    save_model(model, tmp_path / "model.json")
    (tmp_path / "features.json").write_text(spec.to_json(), encoding="utf-8")
    importance, kinds, _ = model_info(tmp_path / "model.json", tmp_path / "features.json")
    assert importance == {"spend": 0.25, "plan=tier": 0.75}
    assert set(importance) == set(kinds)


def test_drifted_columns_named_with_a_slash_or_overview_get_plots_of_their_own(tmp_path):
    from churn.drift_outputs import write_plots

    rng = np.random.default_rng(0)
    names = ["orders/session", "overview", "%6Fverview"]
    reference = pd.DataFrame({name: rng.normal(0, 1, 600) for name in names})
    current = pd.DataFrame({name: rng.normal(3, 1, 600) for name in names})
    row = {"type": "numeric", "psi": 1.0, "missing_rate_change": 0.0, "drifted": True}
    report = {"drift": True, "features": {name: dict(row, psi=1.0) for name in names}}
    write_plots(report, reference, current, tmp_path)
    written = sorted(path.name for path in tmp_path.iterdir())
    assert written == [
        "%256Fverview%~b636f391a34cec8c.png",  # an upper-case letter: see plot_file_name
        "%6Fverview.png",
        "orders%2Fsession.png",
        "overview.png",
    ]
