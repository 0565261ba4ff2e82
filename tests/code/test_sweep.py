"""Sweep helpers: grid size, parsing `dvc exp show --json`, the leaderboard."""

import json
import shlex
import shutil

import pytest

from churn.errors import ChurnError, run_cli
from churn.sweep import (
    Experiment,
    error_line,
    leaderboard,
    main,
    parse_args,
    parse_experiments,
    queued_names,
)
from tests.helpers import REPO


def exp_show(name: str, status: str | None, depth: int, auc: float | None) -> dict:
    """One experiment as `dvc exp show --json` gives it; finished ones carry no status."""
    metrics = {"test": {"roc_auc": auc, "pr_auc": 0.5}} if auc is not None else {}
    return {
        "name": name,
        "executor": None if status else {"state": "success"},
        "revs": [
            {
                "rev": f"rev-{name}",
                "name": name,
                "data": {
                    **({"status": status} if status else {}),
                    "params": {"params.yaml": {"data": {"train": {"max_depth": depth}}}},
                    "metrics": {"metrics/evaluate/metrics.json": {"data": metrics}},
                },
            }
        ],
    }


SHOWN = [
    {"rev": "workspace", "experiments": None, "data": {}},
    {
        "rev": "abc123",
        "experiments": [
            exp_show("deep", None, 7, 0.81),
            exp_show("broken", "Failed", 9, 0.99),  # the baseline's metrics, shown for a failure
            exp_show("shallow", None, 3, 0.84),
            {"name": "finished-without-executor", "revs": [{"name": "quiet", "data": {}}]},
        ],
    },
]


def test_the_queued_experiments_are_read_from_dvc_output():
    """range(...) and other axis syntax: DVC says what it queued, nothing is counted here."""
    output = (
        "Queueing with overrides '{'params.yaml': ['train.max_depth=range(3,6)']}'.\n"
        "Queued experiment 'lofty-oars' for future execution.\n"
        "Queued experiment 'green-fig' for future execution.\n"
        "Queued experiment 'tidy-jig' for future execution.\n"
    )
    assert queued_names(output) == ["lofty-oars", "green-fig", "tidy-jig"]


def test_experiments_are_parsed_with_flat_params_and_metrics():
    experiments = list(parse_experiments(SHOWN))
    assert [e.name for e in experiments] == ["deep", "broken", "shallow", "quiet"]
    assert experiments[3].status == "Failed"  # no metrics, no executor state: it did not run
    assert experiments[0] == Experiment(
        "deep", "Success", {"train.max_depth": 7}, {"test.roc_auc": 0.81, "test.pr_auc": 0.5}
    )
    assert experiments[1].status == "Failed" and experiments[1].metrics == {}


def test_leaderboard_is_sorted_by_roc_auc_with_failures_last():
    table = leaderboard(list(parse_experiments(SHOWN)), ["train.max_depth"]).splitlines()
    assert table[0].split()[:4] == ["rank", "experiment", "status", "train.max_depth"]
    assert [line.split()[1] for line in table[1:]] == ["shallow", "deep", "broken", "quiet"]
    assert "0.8400" in table[1] and "nan" in table[3]


def test_dvc_errors_are_reported_by_their_error_line_not_the_last_detail():
    """A misspelt key used to be reported as "dvc exp run failed:     object_type=dict"."""
    output = (
        "ERROR: Invalid `--set-param` value: Could not override 'trian.max_depth'.\n"
        "To append to your config use +trian.max_depth=3: Key 'trian' is not in struct\n"
        "    full_key: trian\n    object_type=dict\n"
    )
    assert (
        error_line(output) == "Invalid `--set-param` value: Could not override 'trian.max_depth'."
    )
    assert error_line("something odd\nlast words\n") == "last words"


@pytest.mark.parametrize("jobs", ["0", "-1", "two"])
def test_jobs_below_one_are_refused_before_anything_is_queued(jobs, capsys):
    """`dvc exp run --run-all -j 0` waits for workers forever."""
    with pytest.raises(SystemExit) as stopped:
        parse_args(["--jobs", jobs])
    assert stopped.value.code == 2
    assert "expected 1 or more experiments at once" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("axis", "problem"),
    [
        ("train.max_dept=3,5", "no stage reads 'train.max_dept' (did you mean 'train.max_depth'?)"),
        ("train.subsample=0.5,1.5", "key 'train.subsample' should be in (0, 1], got 1.5"),
        # values read as DVC reads them (YAML 1.2): "yes" is text, not a boolean
        ("train.balance_classes=yes", "key 'train.balance_classes' should be bool, got 'yes'"),
        # a sweep function's values are checked too, as DVC expands them
        ("'train.max_depth=range(0,3)'", "key 'train.max_depth' should be at least 1, got 0"),
        # [3,5] is one value (a list) to DVC, not two
        ("'train.max_depth=[3,5]'", "key 'train.max_depth' should be int, got [3, 5]"),
        ("train.max_depth", "no value; write train.max_depth=VALUE[,VALUE...]"),
        ("train.max_depth=", "no value; write train.max_depth=VALUE[,VALUE...]"),
        (
            "'train.max_depth=[3,5'",
            "not a valid value list (no viable alternative at input '[3,5')",
        ),
        ("train.max_depth=3,,5", "not a valid value list (extraneous input ',')"),
        ("'train.max_depth=\"3'", "not a valid value list (token recognition error at: '\"3')"),
        # a traceback (ValueError from range) and an empty range DVC queues nothing for
        (
            "'train.max_depth=range(3,8,0)'",
            "not a valid value list (range() arg 3 must not be zero)",
        ),
        ("'train.max_depth=range(8,3)'", "no value in that range; nothing would be queued"),
    ],
)
def test_a_grid_axis_no_stage_reads_or_out_of_range_is_refused_before_anything_is_queued(
    axis, problem, tmp_path, monkeypatch
):
    """Nothing is queued (no DVC repository here: a dvc call would fail differently), where
    DVC would queue experiments that train nothing new or all fail, or stop on a value it cannot
    read. The axis is quoted as a shell would need it."""
    shutil.copy(REPO / "params.yaml", tmp_path / "params.yaml")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ChurnError) as refused:
        main(["--set", "train.max_depth=3,5", "--set", shlex.split(axis)[0]])
    assert str(refused.value) == f"--set {axis}: {problem}"


def test_a_malformed_axis_is_one_line_and_exit_2(tmp_path, monkeypatch, capsys):
    """It was a yaml.parser.ParserError traceback, exit 1."""
    shutil.copy(REPO / "params.yaml", tmp_path / "params.yaml")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.argv", ["churn.sweep", "--set", "train.max_depth=[3,5"])
    with pytest.raises(SystemExit) as stopped:
        run_cli(main, "churn.sweep")
    assert stopped.value.code == 2
    assert capsys.readouterr().err.startswith(
        "churn.sweep: error: --set 'train.max_depth=[3,5': not a valid value list"
    )


@pytest.mark.parametrize(
    ("grid", "nthread"),
    [
        ([], ["train.nthread=1"]),  # the default grid: one thread each
        (["--set", "train.max_depth=3,5"], ["train.nthread=1"]),
        (["--set", "train.max_depth=3,5", "--set", "train.nthread=4"], ["train.nthread=4"]),
        (["--set", "train.nthread=2,4"], ["train.nthread=2,4"]),
    ],
)
def test_the_users_train_nthread_is_queued_alone(grid, nthread, tmp_path, monkeypatch):
    """`--set train.nthread=4` queued `-S train.nthread=4 -S train.nthread=1`, and DVC applies
    the last -S of a key: every experiment ran on one thread."""
    shutil.copy(REPO / "params.yaml", tmp_path / "params.yaml")
    monkeypatch.chdir(tmp_path)
    calls = []

    def fake_dvc(*args):
        calls.append(args)
        return ""  # queues nothing: main stops after the queueing call

    monkeypatch.setattr("churn.sweep.dvc", fake_dvc)
    with pytest.raises(ChurnError, match="queued no experiment"):
        main(grid)
    assert calls[0][:3] == ("exp", "run", "--queue")
    values = calls[0][4::2]  # after each "-S"
    assert all(flag == "-S" for flag in calls[0][3::2])
    assert [value for value in values if value.startswith("train.nthread=")] == nthread


def test_an_axis_of_a_section_no_stage_declares_is_refused(tmp_path, monkeypatch):
    """gate.* is read by churn.gate after the pipeline, and no stage declares it: the sweep
    queued experiments that all reran nothing and tied."""
    for name in ("params.yaml", "dvc.yaml"):
        shutil.copy(REPO / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ChurnError) as refused:
        main(["--set", "gate.headline=test.pr_auc,test.roc_auc"])
    assert str(refused.value) == (
        "--set gate.headline=test.pr_auc,test.roc_auc: "
        "no stage reads 'gate.headline': no stage of dvc.yaml declares it"
    )


@pytest.mark.parametrize(
    "axis",
    [
        # a key of a mapping a stage reads: DVC sets the one slice; it was "no stage reads"
        "evaluate.slices.new_customers='tenure_months < 6','tenure_months < 12'",
        # quoted choices were checked as QuotedString(text='1', ...), "should be int | str"
        "data.positive_label='1','Yes'",
        "train.model='xgboost','logistic_regression'",
    ],
)
def test_axes_dvc_reads_are_queued(axis, tmp_path, monkeypatch):
    for name in ("params.yaml", "dvc.yaml"):
        shutil.copy(REPO / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    calls = []
    monkeypatch.setattr("churn.sweep.dvc", lambda *args: calls.append(args) or "")
    with pytest.raises(ChurnError, match="queued no experiment"):
        main(["--set", axis])
    assert calls[0][:5] == ("exp", "run", "--queue", "-S", axis)


def test_a_bad_value_in_a_mapping_key_is_refused_as_its_stage_would(tmp_path, monkeypatch):
    shutil.copy(REPO / "params.yaml", tmp_path / "params.yaml")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ChurnError) as refused:
        main(["--set", "evaluate.slices.new_customers='tenure_months <'"])
    assert str(refused.value).endswith(
        ": key 'evaluate.slices.new_customers' is not a valid pandas query (invalid syntax), "
        "got 'tenure_months <'"
    )


def fake_sweep(monkeypatch, tmp_path, queued: list[str], shown: list[dict]) -> list[tuple]:
    """main() against a fake DVC: `exp run --queue` queues `queued`, `exp show` gives `shown`,
    `--run-all` does nothing; the calls made, in order."""
    shutil.copy(REPO / "params.yaml", tmp_path / "params.yaml")
    monkeypatch.chdir(tmp_path)
    calls: list[tuple] = []
    lines = "".join(f"Queued experiment '{name}' for future execution.\n" for name in queued)

    def fake_dvc(*args):
        calls.append(args)
        return lines if args[:3] == ("exp", "run", "--queue") else json.dumps(shown)

    monkeypatch.setattr("churn.sweep.dvc", fake_dvc)
    monkeypatch.setattr("churn.sweep.subprocess.run", lambda args, **kw: calls.append(args))
    return calls


def test_a_sweep_whose_experiments_all_ran_passes_and_ranks_only_its_own(
    tmp_path, monkeypatch, capsys
):
    """An older experiment that `dvc exp show` also lists is not on this sweep's board."""
    shown = [{"rev": "abc", "experiments": [exp_show("deep", None, 7, 0.81),
                                            exp_show("shallow", None, 3, 0.84),
                                            exp_show("last-week", None, 9, 0.99)]}]  # fmt: skip
    calls = fake_sweep(monkeypatch, tmp_path, ["deep", "shallow"], shown)
    main(["--set", "train.max_depth=3,7"])
    assert ["dvc", "exp", "run", "--run-all", "-j", "2"] in calls
    board = capsys.readouterr().out.splitlines()
    assert [line.split()[1] for line in board[1:]] == ["shallow", "deep"]


@pytest.mark.parametrize(
    "experiments",
    [
        [exp_show("deep", None, 7, 0.81), exp_show("shallow", "Failed", 3, 0.99)],
        [exp_show("deep", None, 7, 0.81)],  # one queued experiment is nowhere to be seen
    ],
)
def test_a_sweep_with_an_experiment_that_did_not_succeed_fails(
    experiments, tmp_path, monkeypatch, capsys
):
    """`dvc exp run --run-all` exits 0 when an experiment fails: the sweep must not."""
    shown = [{"rev": "a", "experiments": experiments}]
    fake_sweep(monkeypatch, tmp_path, ["deep", "shallow"], shown)
    with pytest.raises(ChurnError, match=r"^1 of 2 experiments failed; see `dvc queue status`"):
        main(["--set", "train.max_depth=3,7"])
    assert capsys.readouterr().out.splitlines()[1].split()[1] == "deep"


def test_a_failed_experiment_ranks_last_whatever_metrics_it_shows():
    failed = Experiment("broken", "Failed", {}, {"test.roc_auc": 0.99})
    ran = Experiment("ran", "Success", {}, {"test.roc_auc": 0.7})
    table = leaderboard([failed, ran], []).splitlines()
    assert [line.split()[1] for line in table[1:]] == ["ran", "broken"]
