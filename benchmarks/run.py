"""Pipeline benchmarks: cold and no-op `dvc repro`, train-stage overhead, peak memory per stage.

Run on demand (`make bench`); every goal is a ratio against a baseline measured in the same run,
so the figures stay comparable across machines. Results are written to BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.helpers import copy_repository, repo_env, run, set_params  # noqa: E402

STAGES = "## Stages at default size"
NOOP_REPEATS = 9  # a no-op takes about a second: more runs, steadier medians
FLOOR_DVC_YAML = "stages:\n  one:\n    cmd: mkdir -p out\n    deps: [input.txt]\n    outs: [out]\n"
PLAIN_TRAIN = """
import sys, time, json
import pandas as pd, xgboost as xgb
from churn.params import load_section
import churn.train  # the stage's imports (dvclive, scikit-learn ...), as before the split
from churn.fitting import booster_params
start = time.perf_counter()
train, valid = pd.read_parquet(sys.argv[1]), pd.read_parquet(sys.argv[2])
params, seed = load_section("train"), load_section("base").seed
features = [c for c in train.columns if c != "churned"]
dtrain = xgb.DMatrix(train[features], label=train["churned"], nthread=params.nthread)
dvalid = xgb.DMatrix(valid[features], label=valid["churned"], nthread=params.nthread)
xgb.train(booster_params(features, train["churned"], params, seed), dtrain,
          num_boost_round=int(sys.argv[3]), evals=[(dvalid, "valid")], verbose_eval=False)
print(json.dumps({"seconds": time.perf_counter() - start}))
"""


def timed(root: Path, *args: str) -> tuple[float, int]:
    """Wall seconds and peak resident memory (MiB) of one command and its children."""
    start = time.perf_counter()
    process = subprocess.Popen(
        args,
        cwd=root,
        env=repo_env(root),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"benchmark command failed: {' '.join(args)}\n{process.stderr.read()}")
    return seconds, usage.ru_maxrss // 1024


def paired_medians(repeats: int, *commands: tuple[Path, list[str]]) -> list[float]:
    """Median wall seconds of each (folder, command), run in turn so noise hits all alike."""
    seconds: list[list[float]] = [[] for _ in commands]
    for _ in range(repeats):
        for times, (root, args) in zip(seconds, commands, strict=True):
            times.append(timed(root, *args)[0])
    return [statistics.median(times) for times in seconds]


def prepared_copy(parent: Path, scale: float) -> Path:
    root = copy_repository(parent / f"scale-{scale:g}")
    set_params(root, **{"generate.scale": scale})
    return root


def reproduced_pipeline(root: Path, dvc_yaml: str, first_input: str) -> Path:
    """A new git+DVC repository at root holding dvc_yaml and its one input file, reproduced."""
    root.mkdir()
    run(root, "git", "init", "-q")
    run(root, "dvc", "init", "-q")
    (root / first_input).write_text("x\n")
    (root / "dvc.yaml").write_text(dvc_yaml)
    run(root, "dvc", "repro", "-q")
    return root


def floor_repo(parent: Path) -> Path:
    """A one-stage DVC pipeline: what a no-op `dvc repro` costs DVC itself."""
    return reproduced_pipeline(parent / "floor", FLOOR_DVC_YAML, "input.txt")


def trivial_chain(parent: Path, stages: int) -> Path:
    """As many stages as the pipeline, each copying one file to the next (one dep, one out, no
    params, no templating): what the stage count alone costs a no-op (diagnostic)."""
    lines = ["stages:"]
    for n in range(stages):
        lines += [
            f"  s{n + 1}:",
            f"    cmd: cp s{n}.txt s{n + 1}.txt",
            f"    deps: [s{n}.txt]",
            f"    outs: [s{n + 1}.txt]",
        ]
    return reproduced_pipeline(parent / "trivial-chain", "\n".join(lines) + "\n", "s0.txt")


def without_source_deps(root: Path, dest: Path) -> Path:
    """A copy of a reproduced pipeline whose stages declare no src/ modules (diagnostic only:
    code changes would no longer rerun anything), recorded with `dvc commit`, not rerun."""
    import yaml

    shutil.copytree(root, dest, symlinks=True)
    pipeline = yaml.safe_load((dest / "dvc.yaml").read_text())
    for stage in pipeline["stages"].values():
        stage["deps"] = [dep for dep in stage["deps"] if not dep.startswith("src/")]
    (dest / "dvc.yaml").write_text(yaml.safe_dump(pipeline, sort_keys=False))
    run(dest, "dvc", "commit", "-f", "-q")
    return dest


def stage_commands(root: Path) -> dict[str, str]:
    """Each stage's command from dvc.yaml as rendered into dvc.lock, in dvc.yaml's order."""
    import yaml

    lock = yaml.safe_load((root / "dvc.lock").read_text())["stages"]
    order = yaml.safe_load((root / "dvc.yaml").read_text())["stages"]  # dvc.lock sorts by name
    return {name: lock[name]["cmd"] for name in order if name in lock}


def stage_memory(root: Path) -> dict[str, tuple[float, int]]:
    """Seconds and peak MiB of each stage, run alone in pipeline order."""
    return {
        name: timed(root, "bash", "-c", command) for name, command in stage_commands(root).items()
    }


def train_overhead(root: Path, repeats: int) -> tuple[float, float]:
    """The train stage's wall time against plain xgboost.train for the same rounds."""
    # every round the stage boosted (early stopping's patience past the best one included): the
    # validation curve has a row per round; metrics.json's step is the best round it kept
    curve = root / "metrics/train/plots/metrics/valid/logloss.tsv"
    rounds = len(curve.read_text().splitlines()) - 1  # minus the header
    command = stage_commands(root)["train"].replace("metrics/train", str(root / "bench-live"))
    command = command.replace("models/model.json", str(root / "bench-model.json"))
    command = f"DVC_ROOT={root} DVC_STAGE=train {command}"  # the environment `dvc repro` gives it
    script = root / "plain_train.py"
    script.write_text(PLAIN_TRAIN)
    plain_command = [
        "python",
        str(script),
        "data/processed/train.parquet",
        "data/processed/valid.parquet",
        str(rounds),
    ]
    stage, plain = paired_medians(repeats, (root, ["bash", "-c", command]), (root, plain_command))
    return stage, plain


def measure(scales: list[float], repeats: int) -> dict:
    results: dict = {"cold": {}}
    with tempfile.TemporaryDirectory() as tmp:
        parent = Path(tmp)
        floor = floor_repo(parent)
        for scale in scales:
            root = prepared_copy(parent, scale)
            results["cold"][scale] = timed(root, "dvc", "repro")[0]
            if scale == scales[0]:
                no_source = without_source_deps(root, parent / "no-source-deps")
                chain = trivial_chain(parent, len(stage_commands(root)))
                noops = paired_medians(
                    max(repeats, NOOP_REPEATS),
                    *((folder, ["dvc", "repro"]) for folder in (root, no_source, chain, floor)),
                )
                names = ("noop", "noop_no_source", "noop_trivial_chain", "floor")
                results.update(zip(names, noops, strict=True))
                results["train"] = train_overhead(root, repeats)
                results["stages"] = stage_memory(root)
    return results


def markdown(results: dict, scales: list[float]) -> str:
    cold = results["cold"]
    stage, plain = results["train"]
    lines = [
        "# Benchmarks",
        "",
        f"Measured {time.strftime('%Y-%m-%d')} on {os.cpu_count()} cores with `make bench` "
        "(`python benchmarks/run.py`). Ratios compare against a baseline measured in the same run.",
        "",
        "## Pipeline",
        "",
        "| measure | value | baseline | ratio | goal |",
        "|---|---|---|---|---|",
    ]
    base = scales[0]
    lines.append(
        f"| cold `dvc repro`, scale {base:g} (default size) | {cold[base]:.1f} s | — | — | < 60 s |"
    )
    for scale in scales[1:]:
        lines.append(
            f"| cold `dvc repro`, scale {scale:g} | {cold[scale]:.1f} s | "
            f"{cold[base]:.1f} s (scale {base:g}) | {cold[scale] / cold[base]:.2f}x | — |"
        )
    lines.append(
        f"| no-op `dvc repro` ({len(results['stages'])} stages) | {results['noop']:.2f} s | "
        f"{results['floor']:.2f} s (one-stage DVC pipeline) | "
        f"{results['noop'] / results['floor']:.2f}x | <= 1.25x |"
    )
    lines.append(
        f"| no-op `dvc repro`, same pipeline without its `src/` dependencies (diagnostic) | "
        f"{results['noop_no_source']:.2f} s | {results['floor']:.2f} s (one-stage DVC pipeline) | "
        f"{results['noop_no_source'] / results['floor']:.2f}x | — |"
    )
    lines.append(
        f"| no-op `dvc repro`, {len(results['stages'])} trivial stages in a chain (one dep and "
        f"one out each; diagnostic) | {results['noop_trivial_chain']:.2f} s | "
        f"{results['floor']:.2f} s (one-stage DVC pipeline) | "
        f"{results['noop_trivial_chain'] / results['floor']:.2f}x | — |"
    )
    lines.append(
        f"| `train` stage (whole process) | {stage:.1f} s | {plain:.1f} s (plain "
        f"`xgboost.train`, same matrix and rounds) | {stage / plain:.2f}x | <= 1.15x |"
    )
    lines += [
        "",
        STAGES,
        "",
        "Each stage run alone (`python -m churn.<stage>`, outside `dvc repro`), "
        f"{time.strftime('%Y-%m-%d %H:%M')} UTC:",
        "",
        "| stage | seconds | peak memory |",
        "|---|---|---|",
    ]
    lines += [
        f"| {name} | {sec:.1f} | {mib} MiB |" for name, (sec, mib) in results["stages"].items()
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 10.0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md")
    args = parser.parse_args()
    results = measure(args.scales, args.repeats)
    table = markdown(results, args.scales)
    print(table)
    write_section(args.output, table)


def write_section(path: Path, table: str) -> None:
    """Write the new tables into BENCHMARKS.md, keeping what people wrote there (see
    merged_benchmarks)."""
    path.write_text(merged_benchmarks(path.read_text() if path.exists() else "", table))


def table_at(text: str, heading: str) -> tuple[int, int]:
    """Start and end of the first Markdown table after `heading` in text ((-1, -1): none)."""
    at = text.find(heading)
    start = text.find("\n|", at) + 1 if at >= 0 else 0
    if at < 0 or start == 0:
        return -1, -1
    end = start
    while end < len(text) and text.startswith("|", end):
        end = text.find("\n", end) + 1 or len(text)
    return start, end


def merged_benchmarks(old: str, new: str) -> str:
    """The new run's tables in place of the old ones. The old pipeline table stays, under a line
    saying it is the run before, above the notes written about it and the earlier runs (written
    by hand: a rewrite lost them); the old stage section (its caption too: it kept the date of
    an older run) goes; the other sections stay."""
    pipeline, stages = table_at(old, "## Pipeline"), table_at(old, STAGES)
    if -1 in (*pipeline, *stages):
        serving = old.find("\n## Serving")
        return new + (old[serving:] if serving >= 0 else "")
    new_pipeline, new_stages = table_at(new, "## Pipeline"), table_at(new, STAGES)
    before = (
        f"- The run before, replaced by `make bench` on {time.strftime('%Y-%m-%d %H:%M')} UTC:\n\n"
    )
    return (
        new[: new_pipeline[1]]
        + "\n"
        + before
        + old[pipeline[0] : old.find(STAGES)]
        + new[new.find(STAGES) : new_stages[1]]
        + old[stages[1] :]
    )


if __name__ == "__main__":
    main()
