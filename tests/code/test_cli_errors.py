"""Stage CLIs given a wrong file or a bad setting: one line naming the file, column or key,
exit status 2, no traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from tests.fork_server import Step, run_forked
from tests.helpers import REPO, repo_env

VALIDATE_OUTPUTS = (
    "--valid-out", "v.parquet", "--unlabelled-out", "u.parquet", "--quarantine-out", "q.parquet",
    "--metrics", "m.json", "--schema", "s.json", "--contract-out", "c.yaml",
)  # fmt: skip
TRAIN = ("--model", "model.json", "--live-dir", "live")

# name: (module, arguments, params changes, fragments of the one error line; "{params}" stands
# for the params file the case runs with, which is not params.yaml)
CASES: dict[str, tuple] = {
    "validate: a text file as input": (
        "validate", ("--input", "notes.md", *VALIDATE_OUTPUTS), {},
        ["notes.md: not a readable Parquet file"],
    ),
    "validate: a folder as --metrics, refused before the input is read": (
        "validate", ("--input", "absent.parquet", *VALIDATE_OUTPUTS, "--metrics", "blocker_dir"),
        {}, ["blocker_dir: cannot be written (a folder has that name)"],
    ),
    "split: a CSV file as input": (
        "split", ("--input", "snapshot.csv", "--out-dir", "split"), {},
        ["snapshot.csv: not a readable Parquet file"],
    ),
    "ingest: an output folder that cannot be made": (
        "ingest", ("--source", "snapshot.csv", "--out", "blocker/sub/c.parquet"), {},
        ["blocker/sub/c.parquet: cannot be written (", "blocker"],
    ),
    "ingest: an --out under a file, refused before the source is read": (
        "ingest", ("--source", "absent_exports", "--out", "blocker/c.parquet"), {},
        ["blocker/c.parquet: cannot be written (", "blocker is a file, not a folder)"],
    ),
    "train: a validation file that was not featurized": (
        "train", ("--train", "train.parquet", "--valid", "raw_valid.parquet", *TRAIN), {},
        ["raw_valid.parquet: missing feature column(s) orders_per_session, tenure=new"],
    ),
    "train: a folder as --model, refused before training (was an XGBoostError traceback after)": (
        "train", ("--train", "train.parquet", "--valid", "train.parquet", "--model", "blocker_dir",
                  "--live-dir", "live"), {},
        ["blocker_dir: cannot be written (a folder has that name)"],
    ),
    "train: a --model under a file, refused before training": (
        "train", ("--train", "train.parquet", "--valid", "train.parquet", "--model",
                  "blocker/model.json", "--live-dir", "live"), {},
        ["blocker/model.json: cannot be written (", "blocker is a file, not a folder)"],
    ),
    "train: a file as --live-dir": (
        "train", ("--train", "train.parquet", "--valid", "train.parquet", "--model", "m.json",
                  "--live-dir", "blocker"), {},
        ["blocker: cannot be written (a file has that name)"],
    ),
    "train: a misspelt data.target": (
        "train", ("--train", "train.parquet", "--valid", "train.parquet", *TRAIN),
        {"data.target": "churnd"},
        ["train.parquet: column 'churnd' (data.target) not found (did you mean 'churned'?)"],
    ),
    "train: a misspelt train.monotone_increasing feature": (
        "train", ("--train", "train.parquet", "--valid", "train.parquet", *TRAIN),
        {"train.monotone_increasing": ["days_since_last_ordr"]},
        ["{params}: train.monotone_increasing names 'days_since_last_ordr', which is not a model "
         "feature", "'days_since_last_order'?"],
    ),
    "train: an unknown train.model": (
        "train", ("--train", "train.parquet", "--valid", "train.parquet", *TRAIN),
        {"train.model": "xgbost"},
        ["{params}: key 'train.model' should be xgboost or logistic_regression, got 'xgbost'"],
    ),
    "train: an infinite learning rate": (
        "train", ("--train", "train.parquet", "--valid", "train.parquet", *TRAIN),
        {"train.learning_rate": float("inf")},
        ["{params}: key 'train.learning_rate' should be a finite number, got inf"],
    ),
    "evaluate: a threshold above 1": (
        "evaluate", ("--model", "m.json", "--test", "t.parquet", "--raw-test", "r.parquet",
                     "--live-dir", "live"),
        {"evaluate.threshold": 1.5},
        ["{params}: key 'evaluate.threshold' should be between 0 and 1, got 1.5"],
    ),
    "evaluate: a file as --live-dir, refused before the model is read (was a traceback)": (
        "evaluate", ("--model", "m.json", "--test", "t.parquet", "--raw-test", "r.parquet",
                     "--live-dir", "blocker"), {},
        ["blocker: cannot be written (a file has that name)"],
    ),
    "featurize: a folder as --spec, refused before the splits are read (was a traceback)": (
        "featurize", ("--split-dir", "absent", "--out-dir", "processed", "--spec", "blocker_dir"),
        {}, ["blocker_dir: cannot be written (a folder has that name)"],
    ),
    "split: a file as --out-dir, refused before the input is read (was after the split)": (
        "split", ("--input", "absent.parquet", "--out-dir", "blocker"), {},
        ["blocker: cannot be written (a file has that name)"],
    ),
    "split: a folder in place of an output file, refused before the input is read": (
        "split", ("--input", "absent.parquet", "--out-dir", "split_blocked"), {},
        ["split_blocked/train.parquet: cannot be written (a folder has that name)"],
    ),
    "featurize: a file as --out-dir, refused before the splits are read (was after fitting)": (
        "featurize", ("--split-dir", "absent", "--out-dir", "blocker", "--spec", "f.json"), {},
        ["blocker: cannot be written (a file has that name)"],
    ),
    "featurize: an --out-dir under a file, refused before the splits are read": (
        "featurize", ("--split-dir", "absent", "--out-dir", "blocker/processed", "--spec",
                      "f.json"), {},
        ["blocker/processed: cannot be written (", "blocker is a file, not a folder)"],
    ),
    "report: a file as --out-dir, refused before the revisions are read (was a traceback)": (
        "report", ("--base", "HEAD", "--out-dir", "blocker"), {},
        ["blocker: cannot be written (a file has that name)"],
    ),
    "validate: a contract with a word for a number": (
        "validate", ("--input", "customers.parquet", "--contract", "bad.yaml", *VALIDATE_OUTPUTS),
        {}, ["bad.yaml: column 'tenure_months' max must be a number, got 'six hundred'"],
    ),
    "split: a params file with a YAML syntax error": (
        "split", ("--input", "customers.parquet", "--out-dir", "split", "--params", "broken.yaml"),
        {}, ["broken.yaml: not valid YAML (ParserError at line 2, column 1: "],
    ),
    "split: a params file in Latin-1": (
        "split", ("--input", "customers.parquet", "--out-dir", "split", "--params", "latin1.yaml"),
        {}, ["latin1.yaml: not UTF-8 text (byte 0xfc); save it as UTF-8"],
    ),
    "predict: a folder as --model": (
        "predict", ("--input", "snapshot.csv", "--output", "o.csv", "--model", "blocker_dir"), {},
        ["blocker_dir: a folder, not a file"],
    ),
    "predict: a folder as --features": (
        "predict", ("--input", "snapshot.csv", "--output", "o.csv", "--model", "notes.md",
                    "--features", "blocker_dir"), {},
        ["blocker_dir: a folder, not a file"],
    ),
    "predict: an input URL whose fsspec package is not installed": (
        "predict", ("--input", "gs://bucket/x.csv", "--output", "o.csv"), {},
        ["gs://bucket/x.csv: cannot be opened (", "gcsfs"],
    ),
    "predict: an output URL of a protocol fsspec does not know": (
        "predict", ("--input", "snapshot.csv", "--output", "foo://bucket/o.csv"), {},
        ["foo://bucket/o.csv: cannot be opened (Protocol not known: foo)"],
    ),
    "predict: an hdfs:// input without a JVM (a long multi-line error)": (
        "predict", ("--input", "hdfs://host/x.csv", "--output", "o.csv"), {},
        ["hdfs://host/x.csv: cannot be opened ("],
    ),
    "ingest: a source URL whose fsspec package is not installed": (
        "ingest", ("--source", "abfs://container/exports/", "--out", "c.parquet"), {},
        ["abfs://container/exports/: cannot be opened (", "adlfs"],
    ),
    "drift check: a current-data URL of a protocol fsspec does not know": (
        "drift", ("check", "--current", "foo://x.csv", "--reference", "customers.parquet"), {},
        ["foo://x.csv: cannot be opened (Protocol not known: foo)"],
    ),
    "validate: data.target names a column the contract gives the feature role": (
        "validate", ("--input", "customers.parquet", "--contract", "contracts/churn.yaml",
                     *VALIDATE_OUTPUTS), {"data.target": "tenure_months"},
        ["contracts/churn.yaml gives the target role to 'churned', params data.target is "
         "'tenure_months' (it gives 'tenure_months' the feature role)"],
    ),
    "split: data.target names a text column": (
        "split", ("--input", "customers.parquet", "--out-dir", "split"),
        {"data.target": "customer_id", "data.id": ""},
        ["customers.parquet: column 'customer_id' (data.target) holds 'a', 'b', not 0/1 labels"],
    ),
    "predict: a model file that cannot be read (was an OSError traceback)": (
        "predict", ("--input", "snapshot.csv", "--output", "scores.csv", "--model",
                    "/proc/self/mem", "--features", "notes.md"), {},
        ["/proc/self/mem: cannot be read (Input/output error)"],
    ),  # /proc/self/mem: unreadable whoever runs the test (root reads any chmod 000 file)
    "train: a validation matrix of one class (was a traceback after training)": (
        "train", ("--train", "train.parquet", "--valid", "one_class.parquet", *TRAIN), {},
        ["one_class.parquet: column 'churned' (data.target) holds one class only"],
    ),
    "train: a training matrix of one class (was a model scoring 1.0 everywhere, exit 0)": (
        "train", ("--train", "one_class.parquet", "--valid", "train.parquet", *TRAIN), {},
        ["one_class.parquet: column 'churned' (data.target) holds one class only"],
    ),
    "train: a training matrix with text labels (was a traceback)": (
        "train", ("--train", "text_label.parquet", "--valid", "train.parquet", *TRAIN), {},
        ["text_label.parquet: column 'churned' (data.target) holds 'no', 'yes', not 0/1 labels"],
    ),
    "split: a folder as params file": (
        "split", ("--input", "customers.parquet", "--out-dir", "split", "--params", "blocker_dir"),
        {}, ["blocker_dir: a folder, not a file"],
    ),
}  # fmt: skip


def model_matrix(rows: int = 300) -> pd.DataFrame:
    """A small frame shaped like churn.featurize's output (float32 features, then the label)."""
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "days_since_last_order": rng.exponential(20, rows).astype("float32"),
            "orders_per_session": rng.random(rows).astype("float32"),
            "tenure=new": rng.integers(0, 2, rows).astype("float32"),
            "churned": rng.integers(0, 2, rows),
        }
    )


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """The inputs every case reads, good and bad, in one working folder."""
    root = tmp_path_factory.mktemp("cli")
    (root / "params.yaml").write_text((REPO / "params.yaml").read_text())
    (root / "notes.md").write_text("# not a table\n")
    (root / "blocker").write_text("a file where a folder should be\n")
    (root / "broken.yaml").write_text("train: [unclosed\n")
    (root / "latin1.yaml").write_bytes("# Gr\u00fc\u00dfe\nbase: {seed: 1}\n".encode("latin-1"))
    (root / "blocker_dir").mkdir()
    (root / "split_blocked" / "train.parquet").mkdir(parents=True)
    contract = (REPO / "contracts" / "churn.yaml").read_text()
    (root / "bad.yaml").write_text(contract.replace("max: 600", "max: six hundred", 1))
    (root / "contracts").mkdir()
    (root / "contracts" / "churn.yaml").write_text(contract)
    matrix = model_matrix()
    matrix.to_parquet(root / "train.parquet")
    matrix.assign(churned=1).to_parquet(root / "one_class.parquet")
    labels = np.where(matrix["churned"] == 1, "yes", "no")
    matrix.assign(churned=labels).to_parquet(root / "text_label.parquet")
    matrix.drop(columns=["orders_per_session", "tenure=new"]).to_parquet(root / "raw_valid.parquet")
    frame = pd.DataFrame(
        {
            "customer_id": ["a", "b"],
            "snapshot_month": ["2026-01-01"] * 2,
            "tenure_months": [1, 2],
            "churned": [0, 1],
        }
    )
    frame.to_csv(root / "snapshot.csv", index=False)
    frame.to_parquet(root / "customers.parquet")
    return root


def params_with(folder: Path, changes: dict, name: str) -> Path:
    """A copy of params.yaml with dotted keys changed."""
    settings = yaml.safe_load((folder / "params.yaml").read_text())
    for dotted, value in changes.items():
        section, key = dotted.split(".")
        settings[section][key] = value
    path = folder / f"params-{name}.yaml"
    path.write_text(yaml.safe_dump(settings))
    return path


def case_params(folder: Path, case: str) -> tuple[tuple[str, ...], Path]:
    """The case's arguments, with --params naming its own params file unless it names one."""
    _, arguments, changes, _ = CASES[case]
    if "--params" in arguments:
        return arguments, folder / "params.yaml"
    params = params_with(folder, changes, str(list(CASES).index(case)))
    return (*arguments, "--params", str(params)), params


@pytest.fixture(scope="module")
def outcomes(folder: Path) -> dict[str, tuple[subprocess.CompletedProcess, Path]]:
    """Every case run once, each its own process forked from one that imported the stages."""
    commands = {case: case_params(folder, case) for case in CASES}
    runs = [[Step(folder, f"churn.{CASES[case][0]}", list(commands[case][0]))] for case in CASES]
    results = run_forked(runs)
    return {case: (result, commands[case][1]) for case, result in zip(CASES, results, strict=True)}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_bad_input_stops_with_one_line_naming_it(outcomes: dict, case: str):
    module, _, _, fragments = CASES[case]
    result, params = outcomes[case]
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1, result.stderr
    assert lines[0].startswith(f"churn.{module}: error: ")
    for fragment in fragments:
        assert fragment.format(params=params) in lines[0]


def ctrl_c_as_in_a_terminal() -> None:
    """In the child before Python starts: Ctrl-C not ignored, whatever this process inherited (a
    test run started in the background of a non-interactive shell ignores SIGINT, and so would
    the child, which then imported everything and printed its help, exit 0)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def interrupted_while_importing(tmp_path: Path) -> tuple[int, str, str] | None:
    """Run `churn.predict --help` under -X importtime and send Ctrl-C once pandas is in; the
    exit status, everything it wrote and what came after the signal, or None when the signal
    came too late (a loaded machine: the child had imported everything and printed its help
    before this process read the pandas line)."""
    command = [sys.executable, "-X", "importtime", "-m", "churn.predict", "--help"]
    # no cached bytecode: every module compiled from source, xgboost's import takes seconds more
    slow = {"PYTHONPYCACHEPREFIX": str(tmp_path / "no-pycache"), "PYTHONDONTWRITEBYTECODE": "1"}
    process = subprocess.Popen(
        command, cwd=tmp_path, env=os.environ | slow, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=ctrl_c_as_in_a_terminal,
    )  # fmt: skip
    seen = []
    for line in process.stderr:
        seen.append(line)
        if line.rstrip().endswith("| pandas"):
            process.send_signal(signal.SIGINT)
            break
    rest, status = process.stderr.read(), process.wait(timeout=60)
    late = status == 0 and process.stdout.read().startswith("usage:")
    return None if late else (status, "".join(seen) + rest, rest)


def test_ctrl_c_while_a_stage_imports_its_libraries_exits_with_one_line(tmp_path: Path):
    """-X importtime reports each module as it finishes: Ctrl-C is sent once pandas is in,
    while xgboost (through churn.artifacts) is still loading, seconds before main() runs."""
    outcome = None
    for _ in range(5):  # a signal that came after the imports proves nothing: send it again
        if (outcome := interrupted_while_importing(tmp_path)) is not None:
            break
    assert outcome is not None, "the child always finished importing before the signal came"
    status, imported, rest = outcome
    assert status == 128 + signal.SIGINT, imported[-2000:]
    assert rest.strip().splitlines()[-1] == "churn.predict: interrupted"
    assert "Traceback" not in imported
    assert "| churn.artifacts" not in imported  # it stopped while importing, not in main()


USAGE_ERRORS = {
    "predict": ["--input", "x.csv", "--output", "o.csv", "--chunk-size", "0"],
    "drift": ["check", "--current", "x.csv"],
    "split": [],
    "ingest": ["--no-such-option"],
    "sweep": ["--jobs", "two"],
    "contract": ["infer"],
}


def test_a_chunk_size_beyond_64_bits_is_a_usage_error(tmp_path: Path):
    """--chunk-size 99999999999999999999 was an OverflowError traceback from Arrow's reader."""
    (tmp_path / "x.csv").write_text("a\n1\n")
    command = [sys.executable, "-m", "churn.predict", "--input", "x.csv", "--output", "o.csv"]
    result = subprocess.run(
        [*command, "--chunk-size", str(2**63)],
        cwd=tmp_path, capture_output=True, text=True, env=repo_env(REPO),
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "churn.predict: error: --chunk-size must be at most 9223372036854775807 (see --help)"
    ]


@pytest.fixture(scope="module")
def usage_outcomes(tmp_path_factory) -> dict[str, subprocess.CompletedProcess]:
    folder = tmp_path_factory.mktemp("usage")
    runs = [[Step(folder, f"churn.{module}", args)] for module, args in USAGE_ERRORS.items()]
    return dict(zip(USAGE_ERRORS, run_forked(runs), strict=True))


@pytest.mark.parametrize("module", list(USAGE_ERRORS))
def test_a_usage_error_is_one_line_too(usage_outcomes: dict, module: str):
    """argparse printed its usage block, then the error: several lines for one mistake."""
    result = usage_outcomes[module]
    [line] = result.stderr.strip().splitlines()
    assert result.returncode == 2
    assert line.startswith(f"churn.{module}") and ": error: " in line
    assert line.endswith("(see --help)")


def test_predict_help_names_every_output_format_and_the_chunk_size_default(capsys):
    """--help said "scores file (.csv or .parquet)" and gave no chunk size, where the file name
    may be any table suffix (.tsv, .csv.gz ...) and --chunk-size defaults to 50,000 rows."""
    from churn.predict_options import parse_args
    from churn.tables import TABLE_SUFFIXES

    with pytest.raises(SystemExit):
        parse_args(["--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert f"scores file ({', '.join(TABLE_SUFFIXES)})" in help_text
    assert "rows per chunk (default: 50000)" in help_text


def test_ingest_help_names_every_params_key_it_reads(capsys):
    """--params said data.delimiter/decimal; ingest reads data.id too (ids as text)."""
    from churn.ingest import parse_args

    with pytest.raises(SystemExit):
        parse_args(["--help"])
    assert "data.id/delimiter/decimal" in capsys.readouterr().out
