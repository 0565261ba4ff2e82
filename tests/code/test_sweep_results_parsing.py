"""Parsing `dvc exp show --json`: nested keys keep every level, metrics are numbers only, and a
running or queued experiment shows its executor's state."""

from churn.sweep_results import flatten, parse_experiments


def shown(data: dict, executor: dict | None = None) -> list[dict]:
    experiment = {"name": "exp", "executor": executor, "revs": [{"name": "exp", "data": data}]}
    return [{"experiments": [experiment]}]


def test_nested_keys_keep_every_level():
    assert flatten({"a": {"b": {"c": 1}, "d": 2}, "e": 3}) == {"a.b.c": 1, "a.d": 2, "e": 3}


def test_metrics_that_are_no_numbers_are_left_out():
    data = {"metrics": {"m.json": {"data": {"test": {"roc_auc": 0.8, "note": "n/a"}}}}}
    (experiment,) = parse_experiments(shown(data))
    assert experiment.metrics == {"test.roc_auc": 0.8} and experiment.status == "Success"


def test_an_experiment_without_status_or_metrics_shows_its_executor_state():
    (running,) = parse_experiments(shown({}, {"state": "running"}))
    assert running.status == "Running"
    (failed,) = parse_experiments(shown({}))
    assert failed.status == "Failed"
