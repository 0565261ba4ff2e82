"""Sweep helpers: grid size, parsing `dvc exp show --json`, the leaderboard."""

import json
import os
import shlex
import shutil
import subprocess

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
from churn.sweep_inputs import untracked_files
from churn.sweep_results import outcome_problem
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
        return ""  # an empty queue, and queues nothing: main stops after the queueing call

    monkeypatch.setattr("churn.sweep.dvc", fake_dvc)
    with pytest.raises(ChurnError, match="queued no experiment"):
        main(grid)
    queueing = next(call for call in calls if call[:3] == ("exp", "run", "--queue"))
    values = queueing[4::2]  # after each "-S"
    assert all(flag == "-S" for flag in queueing[3::2])
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
    assert ("exp", "run", "--queue", "-S", axis) in [call[:5] for call in calls]


def test_a_bad_value_in_a_mapping_key_is_refused_as_its_stage_would(tmp_path, monkeypatch):
    shutil.copy(REPO / "params.yaml", tmp_path / "params.yaml")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ChurnError) as refused:
        main(["--set", "evaluate.slices.new_customers='tenure_months <'"])
    assert str(refused.value).endswith(
        ": key 'evaluate.slices.new_customers' is not a valid pandas query (invalid syntax), "
        "got 'tenure_months <'"
    )


QUEUE_STATUS = """\
Task     Name        Created    Status
13fe398  fenny-worm  04:25 PM   Failed
ddfe7c0  telic-soja  04:29 PM   Queued
1f4036b  duple-dele  04:22 PM   Running

Worker status: 1 active, 0 idle
"""


def test_experiments_queued_before_are_refused_before_anything_is_queued(tmp_path, monkeypatch):
    """`dvc exp run --run-all` runs every queued experiment: an experiment queued earlier (or
    left by an interrupted sweep) ran with the sweep, unranked and its failure unreported."""
    shutil.copy(REPO / "params.yaml", tmp_path / "params.yaml")
    monkeypatch.chdir(tmp_path)
    calls = []

    def fake_dvc(*args):
        calls.append(args)
        return QUEUE_STATUS if args[:2] == ("queue", "status") else ""

    monkeypatch.setattr("churn.sweep.dvc", fake_dvc)
    with pytest.raises(ChurnError) as refused:
        main(["--set", "train.max_depth=3,5"])
    assert str(refused.value).startswith(
        "2 experiment(s) already queued or running (telic-soja, duple-dele): "
    )
    assert "dvc queue remove --queued" in str(refused.value)
    assert not [call for call in calls if call[:2] == ("exp", "run")]


def test_a_success_without_the_ranking_metric_is_named_not_called_failed(
    tmp_path, monkeypatch, capsys
):
    """A run that succeeded but logged no test.roc_auc was listed as Success and counted
    among the failed experiments."""
    shutil.copy(REPO / "params.yaml", tmp_path / "params.yaml")
    monkeypatch.chdir(tmp_path)
    shown = [{"rev": "abc", "experiments": [exp_show("ok", None, 3, 0.8)]}]
    unranked = exp_show("quiet", None, 5, None)
    unranked["revs"][0]["data"]["metrics"]["metrics/train/metrics.json"] = {"data": {"step": 9}}
    shown[0]["experiments"].append(unranked)
    replies = {
        ("queue", "status"): "No experiment tasks in the queue.\n",
        ("exp", "run"): "Queued experiment 'ok' for future execution.\n"
        "Queued experiment 'quiet' for future execution.\n",
        ("exp", "show"): json.dumps(shown),
    }
    monkeypatch.setattr("churn.sweep.dvc", lambda *args: replies[args[:2]])
    real_run = subprocess.run  # the sweep's own `dvc exp run --run-all` runs nothing here
    monkeypatch.setattr(
        "churn.sweep.subprocess.run",
        lambda args, **kwargs: None if args[0] == "dvc" else real_run(args, **kwargs),
    )
    with pytest.raises(ChurnError) as refused:
        main(["--set", "train.max_depth=3,5"])
    assert str(refused.value) == (
        "1 of 2 experiments succeeded without test.roc_auc in their metrics (quiet): "
        "they cannot be ranked"
    )
    rows = [line.split() for line in capsys.readouterr().out.splitlines()[1:]]
    assert rows == [
        ["1", "ok", "Success", "3", "0.8000", "0.5000"],
        ["2", "quiet", "Unranked", "5", "nan", "nan"],
    ]


def test_failed_experiments_are_named():
    failed = Experiment("broken", "Failed", {}, {})
    assert outcome_problem([failed], ["broken", "vanished"]) == (
        "2 of 2 experiments failed (broken, vanished); "
        "see `dvc queue status` and `dvc queue logs NAME`"
    )


def test_untracked_files_the_stages_read_are_refused_before_anything_is_queued(
    tmp_path, monkeypatch
):
    """DVC queues an experiment as the last commit plus changes to tracked files: a new
    contract (or module) left untracked was 'contract file not found' in every experiment, after
    the whole grid had run, while the file sat in the workspace."""
    for name in ("params.yaml", "dvc.yaml"):
        shutil.copy(REPO / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "base"], check=True)
    for name in ("contracts/mine.yaml", "src/churn/new_step.py", "notes/ideas.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x\n")
    calls = []
    monkeypatch.setattr("churn.sweep.dvc", lambda *args: calls.append(args) or "")
    with pytest.raises(ChurnError) as refused:
        main(["--set", "data.contract=contracts/mine.yaml"])
    assert str(refused.value).startswith(
        "contracts/mine.yaml, src/churn/new_step.py: not tracked by git, "
        "so queued experiments would not see it"
    )
    assert calls == []
    subprocess.run([*git, "add", "contracts", "src"], check=True)  # staged: DVC copies it
    with pytest.raises(ChurnError, match="queued no experiment"):
        main(["--set", "data.contract=contracts/mine.yaml"])


@pytest.mark.parametrize(
    ("grid", "message"),
    [
        (  # DVC applies the last -S of a key: it queued 5 and 6 alone, the column shown twice
            ["train.max_depth=3,4", "train.max_depth=5,6"],
            "--set train.max_depth given 2 times: dvc exp run -S applies the last only; "
            "put every value in one axis (train.max_depth=V1,V2,...)",
        ),
        (  # DVC queued two identical experiments, ranked against each other
            ["train.max_depth=3, 5,3", "train.learning_rate=0.1"],
            "--set train.max_depth: value 3 listed 2 times; "
            "each value queues one experiment, so list it once",
        ),
    ],
    ids=["key on two axes", "value twice in one axis"],
)
def test_a_grid_that_says_a_thing_twice_is_refused_before_anything_is_queued(
    tmp_path, monkeypatch, grid, message
):
    shutil.copy(REPO / "params.yaml", tmp_path / "params.yaml")
    monkeypatch.chdir(tmp_path)
    calls = []
    monkeypatch.setattr("churn.sweep.dvc", lambda *args: calls.append(args) or "")
    with pytest.raises(ChurnError) as refused:
        main([arg for axis in grid for arg in ("--set", axis)])
    assert str(refused.value) == message
    assert calls == []


def fake_sweep(monkeypatch, tmp_path, queued: list[str], shown: list[dict]) -> list[tuple]:
    """main() against a fake DVC: `exp run --queue` queues `queued`, `exp show` gives `shown`,
    `--run-all` does nothing; the calls made, in order."""
    shutil.copy(REPO / "params.yaml", tmp_path / "params.yaml")
    monkeypatch.chdir(tmp_path)
    calls: list[tuple] = []
    lines = "".join(f"Queued experiment '{name}' for future execution.\n" for name in queued)

    def fake_dvc(*args):
        calls.append(args)
        if args[:2] == ("queue", "status"):
            return "No experiment tasks in the queue.\n"
        return lines if args[:3] == ("exp", "run", "--queue") else json.dumps(shown)

    real_run = subprocess.run  # git (untracked inputs) runs; `dvc exp run --run-all` is recorded

    def fake_run(args, **kwargs):
        return calls.append(args) if args[0] == "dvc" else real_run(args, **kwargs)

    monkeypatch.setattr("churn.sweep.dvc", fake_dvc)
    monkeypatch.setattr("churn.sweep.subprocess.run", fake_run)
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
    with pytest.raises(
        ChurnError, match=r"^1 of 2 experiments failed \(shallow\); see `dvc queue status`"
    ):
        main(["--set", "train.max_depth=3,7"])
    assert capsys.readouterr().out.splitlines()[1].split()[1] == "deep"


def test_a_failed_experiment_ranks_last_whatever_metrics_it_shows():
    failed = Experiment("broken", "Failed", {}, {"test.roc_auc": 0.99})
    ran = Experiment("ran", "Success", {}, {"test.roc_auc": 0.7})
    table = leaderboard([failed, ran], []).splitlines()
    assert [line.split()[1] for line in table[1:]] == ["ran", "broken"]


def test_untracked_files_with_names_that_are_not_utf8_are_listed(tmp_path, monkeypatch):
    """A UnicodeDecodeError traceback from `make sweep` before."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "new.py").write_text("x")
    (tmp_path / os.fsdecode(b"caf\xe9.py")).write_text("x")  # a Latin-1 name
    monkeypatch.chdir(tmp_path)
    assert sorted(untracked_files()) == sorted(["new.py", os.fsdecode(b"caf\xe9.py")])


def test_a_baseline_params_file_that_is_not_utf8_is_refused_before_anything_is_queued(
    tmp_path, monkeypatch
):
    """`dvc exp show` reads the commit experiments start from: a Latin-1 params.yaml committed
    there stopped the sweep after every experiment ran, with DVC's own error (`unexpected error -
    EncodingError.__init__() missing 1 required positional argument: 'encoding'`)."""
    for name in ("params.yaml", "dvc.yaml"):
        shutil.copy(REPO / name, tmp_path / name)
    utf8 = (tmp_path / "params.yaml").read_text()
    (tmp_path / "params.yaml").write_bytes(f"# Gr\u00fc\u00dfe\n{utf8}".encode("latin-1"))
    monkeypatch.chdir(tmp_path)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "base"], check=True)
    (tmp_path / "params.yaml").write_text(utf8)  # the workspace's is UTF-8 again
    calls = []
    monkeypatch.setattr("churn.sweep.dvc", lambda *args: calls.append(args) or "")
    with pytest.raises(ChurnError) as refused:
        main([])
    assert str(refused.value).startswith("params.yaml@HEAD: not UTF-8 text (byte 0xfc)")
    assert calls == []
