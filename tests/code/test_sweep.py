"""Sweep helpers: grid size, parsing `dvc exp show --json`, the leaderboard."""

from churn.sweep import Experiment, grid_size, leaderboard, parse_experiments


def exp_show(name: str, status: str, depth: int, auc: float | None) -> dict:
    metrics = {"test": {"roc_auc": auc, "pr_auc": 0.5}} if auc is not None else {}
    return {
        "name": name,
        "revs": [
            {
                "rev": f"rev-{name}",
                "name": name,
                "data": {
                    "status": status,
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
            exp_show("deep", "Success", 7, 0.81),
            exp_show("broken", "Failed", 9, None),
            exp_show("shallow", "Success", 3, 0.84),
        ],
    },
]


def test_grid_size_is_the_product_of_the_axes():
    assert grid_size(["train.max_depth=3,5,7", "train.learning_rate=0.05,0.1"]) == 6
    assert grid_size(["train.max_depth=4"]) == 1


def test_experiments_are_parsed_with_flat_params_and_metrics():
    experiments = list(parse_experiments(SHOWN))
    assert [e.name for e in experiments] == ["deep", "broken", "shallow"]
    assert experiments[0] == Experiment(
        "deep", "Success", {"train.max_depth": 7}, {"test.roc_auc": 0.81, "test.pr_auc": 0.5}
    )
    assert experiments[1].status == "Failed" and experiments[1].metrics == {}


def test_leaderboard_is_sorted_by_roc_auc_with_failures_last():
    table = leaderboard(list(parse_experiments(SHOWN)), ["train.max_depth"]).splitlines()
    assert table[0].split()[:4] == ["rank", "experiment", "status", "train.max_depth"]
    assert [line.split()[1] for line in table[1:]] == ["shallow", "deep", "broken"]
    assert "0.8400" in table[1] and "nan" in table[3]
