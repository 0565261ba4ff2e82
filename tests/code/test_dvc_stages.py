"""Reading dvc.yaml's stages: the params keys they declare."""

from churn.dvc_stages import declared_params


def test_declared_params_reads_keys_sections_and_params_yaml_mappings_only():
    """A mapping entry naming another params file (`- other.yaml: [k]`) was a TypeError."""
    stages = {
        "train": {"params": ["train", "base.seed", {"params.yaml": ["data.target"]}]},
        "other": {"params": [{"other.yaml": ["k"]}, {"params.yaml": None}]},
        "plain": {"cmd": "true"},
    }
    assert declared_params(stages) == {"train", "base.seed", "data.target"}
