"""The params loader: typed sections and one clear message per mistake."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import churn.check_params as check_params_module
from churn.check_params import check_params
from churn.data_params import DataParams, check_data_columns
from churn.errors import ChurnError
from churn.params import SECTIONS, TrainParams, load_section
from churn.typed_sections import section_from_mapping
from churn.yaml_files import parse_yaml
from tests.fork_server import run_module

REPO = Path(__file__).resolve().parents[2]


def test_every_section_of_the_committed_params_loads():
    for name in SECTIONS:
        assert load_section(name, REPO / "params.yaml") is not None


def test_missing_key_is_named():
    raw = yaml.safe_load((REPO / "params.yaml").read_text())["train"]
    del raw["max_depth"]
    with pytest.raises(ChurnError, match=r"missing key 'train.max_depth'"):
        section_from_mapping(TrainParams, "train", raw)


def test_mistyped_key_is_named():
    raw = yaml.safe_load((REPO / "params.yaml").read_text())["train"]
    raw["max_depth"] = "deep"
    with pytest.raises(ChurnError, match=r"'train.max_depth' should be int, got 'deep'"):
        section_from_mapping(TrainParams, "train", raw)


def test_a_text_key_left_empty_says_how_to_write_an_empty_text():
    """`id:` with nothing after it is YAML's null: it said `should be str, got None` only."""
    raw = dict(yaml.safe_load((REPO / "params.yaml").read_text())["data"], id=None)
    wanted = "key 'data.id' should be str, got None (an empty text is written \"\")"
    with pytest.raises(ChurnError, match=re.escape(wanted)):
        section_from_mapping(SECTIONS["data"], "data", raw)


def test_an_empty_contract_file_is_named_as_empty():
    """`churn.contract infer ... > contracts/x.yaml` that fails leaves an empty file, which was
    refused as `expected a mapping with a 'columns' section`."""
    from churn.contract_spec import Contract

    for text in ("", "# only a comment\n"):
        with pytest.raises(ChurnError, match=r"^contracts/x\.yaml: empty \(did `python -m churn"):
            Contract.from_yaml(text, "contracts/x.yaml")


def test_ints_are_accepted_as_floats_but_bools_are_not_ints():
    raw = yaml.safe_load((REPO / "params.yaml").read_text())["train"]
    raw["learning_rate"] = 1
    assert section_from_mapping(TrainParams, "train", raw).learning_rate == 1.0
    raw["max_depth"] = True
    with pytest.raises(ChurnError):
        section_from_mapping(TrainParams, "train", raw)


def test_missing_file_and_bad_yaml(tmp_path):
    with pytest.raises(ChurnError, match="file not found"):
        load_section("train", tmp_path / "nope.yaml")
    bad = tmp_path / "params.yaml"
    bad.write_text("train: [unclosed\n")
    with pytest.raises(ChurnError, match="not valid YAML"):
        load_section("train", bad)


def test_a_misspelt_key_or_section_is_refused_with_a_guess(tmp_path):
    raw = yaml.safe_load((REPO / "params.yaml").read_text())
    train = dict(raw["train"])
    train["max_dept"] = 2
    with pytest.raises(ChurnError, match=r"unknown key 'train.max_dept' \(did you mean 'train.max"):
        section_from_mapping(TrainParams, "train", train)
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(raw | {"trian": {"max_depth": 2}}))
    with pytest.raises(ChurnError, match=r"unknown section 'trian' \(did you mean 'train'\?\)"):
        load_section("split", tmp_path / "params.yaml")
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(raw | {"my_team": {"owner": "x"}}))
    assert load_section("split", tmp_path / "params.yaml")  # a section of the user's own


@pytest.mark.parametrize(
    ("section", "key", "value", "wanted"),
    [
        ("train", "subsample", 1.5, "in (0, 1]"),
        ("train", "n_estimators", -5, "at least 1"),
        ("train", "nthread", -3, "at least 1"),
        ("featurize", "min_category_count", -1, "0 or more"),
        ("drift", "p_value", 0, "between 0 and 1"),
        ("drift", "psi", -0.2, "above 0"),
        ("drift", "share_drifted", 1.5, "in (0, 1]"),
        ("drift", "min_rows", 0, "at least 1"),
        ("train", "learning_rate", 0, "above 0"),
        ("split", "test_size", 20, "between 0 and 1"),
        ("evaluate", "threshold", 1.5, "between 0 and 1"),
        ("evaluate", "threshold", -1, "between 0 and 1"),
        # the ends decide nothing: every customer, or none, would be a churner
        ("evaluate", "threshold", 0, "between 0 and 1"),
        ("evaluate", "threshold", 1, "between 0 and 1"),
        ("train", "subsample", 0, "in (0, 1]"),
        ("evaluate", "top_fraction", 0, "in (0, 1]"),
        ("evaluate", "top_fraction", 2, "in (0, 1]"),
        ("generate", "seed", -1, "from 0 to 2**32 - 1"),  # numpy's traceback before
        ("base", "seed", 2**64, "from 0 to 2**32 - 1"),  # XGBoost's traceback before
    ],
)
def test_out_of_range_values_are_named(section, key, value, wanted):
    raw = dict(yaml.safe_load((REPO / "params.yaml").read_text())[section])
    raw[key] = value
    with pytest.raises(ChurnError, match=re.escape(f"'{section}.{key}' should be {wanted}")):
        section_from_mapping(SECTIONS[section], section, raw)


def test_a_negative_gate_tolerance_is_refused_wherever_the_section_loads():
    """It was refused by the gate, report and challenge only: `make repro`'s check passed it."""
    raw = dict(yaml.safe_load((REPO / "params.yaml").read_text())["gate"])
    raw["tolerances"] = {"test.roc_auc": 0.0, "test.log_loss": -0.01}
    wanted = "'gate.tolerances.test.log_loss' should be a number, 0 or more (how much worse"
    with pytest.raises(ChurnError, match=re.escape(wanted)):
        section_from_mapping(SECTIONS["gate"], "gate", raw)


@pytest.mark.parametrize(
    ("section", "key", "value", "named"),
    [
        ("train", "learning_rate", float("inf"), "learning_rate"),
        ("train", "logreg_c", float("nan"), "logreg_c"),
        ("drift", "psi", float("inf"), "psi"),
        # in a mapping, the entry that holds it
        (
            "gate",
            "tolerances",
            {"test.pr_auc": 0.1, "test.roc_auc": float("inf")},
            "tolerances.test.roc_auc",
        ),
        # a whole number beyond the floats' range: float() of it raised OverflowError
        ("train", "learning_rate", 10**400, "learning_rate"),
        ("gate", "tolerances", {"test.f1": 10**400}, "tolerances.test.f1"),
    ],
)
def test_float_params_must_be_finite(section, key, value, named):
    raw = dict(yaml.safe_load((REPO / "params.yaml").read_text())[section])
    raw[key] = value
    wanted = re.escape(f"'{section}.{named}' should be a finite number, got ")
    with pytest.raises(ChurnError, match=wanted):
        section_from_mapping(SECTIONS[section], section, raw)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("train: [unclosed\n", "ParserError at line 2, column 1: "),
        ("train:\n  max_depth: 4\n   subsample: 1\n", "ScannerError at line 3, column 13: "),
        ('base:\n  seed: "42\n', "(while scanning a quoted scalar from line 2, column 9)"),
        (  # PyYAML would keep the last value silently
            "train:\n  max_depth: 4\n  max_depth: 6\n",
            "ConstructorError at line 3, column 3: found the key 'max_depth' twice",
        ),
        (  # more digits than Python reads as an int: a ValueError traceback
            "train:\n  max_depth: " + "9" * 5000 + "\n",
            "ConstructorError at line 2, column 14: an integer too long to read (5000 characters)",
        ),
    ],
)
def test_yaml_syntax_errors_give_line_and_column_in_one_line(tmp_path, text, where):
    (tmp_path / "params.yaml").write_text(text)
    with pytest.raises(ChurnError) as raised:
        load_section("train", tmp_path / "params.yaml")
    message = str(raised.value)
    assert message.startswith(f"{tmp_path / 'params.yaml'}: not valid YAML (")
    assert where in message and "\n" not in message


def test_data_columns_are_named_with_a_near_miss():
    data = load_section("data", REPO / "params.yaml")
    columns = ["customer_id", "snapshot_month", "churned"]
    check_data_columns(columns, data, "x.parquet")
    moved = DataParams(**{**data.__dict__, "timestamp": "snapshot_mnth"})
    expected = "x.parquet: column 'snapshot_mnth' (data.timestamp) not found (did you mean"
    with pytest.raises(ChurnError, match=re.escape(expected)):
        check_data_columns(columns, moved, "x.parquet")
    check_data_columns(columns[1:], DataParams(**{**data.__dict__, "id": ""}), "x.parquet")
    spelt = "x.parquet: column 'customer_id' (data.id) not found (did you mean 'Customer-ID'? "
    with pytest.raises(ChurnError, match=re.escape(spelt + "names must match exactly)")):
        check_data_columns(["Customer-ID", *columns[1:]], data, "x.parquet")


def test_yes_no_on_off_are_text_as_dvc_reads_them(tmp_path):
    """`dvc exp run -S` rewrites params.yaml in YAML 1.2, `positive_label: "Yes"` unquoted; PyYAML
    (YAML 1.1) read that as True, and validate found no label True in the data."""
    read = parse_yaml("a: [Yes, no, On, off, y, N, true, True, TRUE, false, False, FALSE, tRue]")
    assert read == {"a": ["Yes", "no", "On", "off", "y", "N", True, True, True] + [False] * 3
                    + ["tRue"]}  # fmt: skip
    assert yaml.safe_load("a: yes") == {"a": True}  # PyYAML's own loaders are left as they are
    assert yaml.load("a: yes", Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))["a"] is True
    text = (REPO / "params.yaml").read_text().replace("positive_label: 1 ", "positive_label: Yes")
    (tmp_path / "params.yaml").write_text(text)
    assert load_section("data", tmp_path / "params.yaml").positive_label == "Yes"
    assert load_section("train", tmp_path / "params.yaml").balance_classes is True


@pytest.mark.parametrize(
    ("role", "column"), [("id", "customer_id"), ("timestamp", "snapshot_month")]
)
def test_a_blank_id_or_timestamp_is_a_params_error(tmp_path, role, column):
    """data.id: " " passed: it named no column, yet was not the '' that means none."""
    path = tmp_path / "params.yaml"
    path.write_text((REPO / "params.yaml").read_text().replace(f"{role}: {column}", f"{role}: ' '"))
    wanted = f"{path}: key 'data.{role}' should name a column or be '' (none), got ' '"
    with pytest.raises(ChurnError, match=re.escape(wanted)):
        load_section("data", path)


@pytest.mark.parametrize("target", ["", "  "])
def test_an_empty_target_is_a_params_error(tmp_path, target):
    """data.target: "" gave KeyError: '' tracebacks in split, featurize, train and evaluate."""
    path = tmp_path / "params.yaml"
    path.write_text(
        (REPO / "params.yaml").read_text().replace("target: churned", f"target: '{target}'")
    )
    wanted = f"{path}: key 'data.target' should name the label column, got '{target}'"
    with pytest.raises(ChurnError, match=re.escape(wanted)):
        load_section("data", path)


@pytest.mark.parametrize("label", ["", "  "])
def test_an_empty_positive_label_is_a_params_error(tmp_path, label):
    """data.positive_label: "" passed make repro's check; validate stopped after generate and
    ingest had run, `label value '' ... never occurs in column 'Churn'`."""
    path = tmp_path / "params.yaml"
    path.write_text(
        (REPO / "params.yaml")
        .read_text()
        .replace("positive_label: 1", f"positive_label: '{label}'")
    )
    wanted = f"{path}: key 'data.positive_label' should be the value meaning churned, got '{label}'"
    with pytest.raises(ChurnError, match=re.escape(wanted)):
        load_section("data", path)


STAGE_ARGUMENTS = {
    "ingest": "--source raw --out c.parquet",
    "validate": "--input c.parquet --valid-out v.parquet --unlabelled-out u.parquet "
    "--quarantine-out q.parquet --metrics m.json --schema s.json --contract-out c.yaml",
    "split": "--input v.parquet --out-dir split",
    "featurize": "--split-dir split --out-dir f --spec spec.json",
    "train": "--train t.parquet --valid v.parquet --model m.json --live-dir live",
    "evaluate": "--test t.parquet --raw-test r.parquet --model m.json --live-dir live",
}


@pytest.mark.parametrize(("module", "args"), STAGE_ARGUMENTS.items(), ids=list(STAGE_ARGUMENTS))
def test_every_stage_reading_data_refuses_an_empty_target(tmp_path, module, args):
    text = (REPO / "params.yaml").read_text().replace("target: churned", "target: ''")
    (tmp_path / "params.yaml").write_text(text)
    command = [sys.executable, "-m", f"churn.{module}", *args.split(), "--params", "params.yaml"]
    result = run_module(command, cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        f"churn.{module}: error: params.yaml: key 'data.target' should name the label column, "
        "got ''"
    ]


def committed_params() -> dict:
    return yaml.safe_load((REPO / "params.yaml").read_text())


def check_error(raw: dict, path: Path) -> str:
    """The one line check_params refuses raw with."""
    with pytest.raises(ChurnError) as error:
        check_params(raw, path)
    return str(error.value)


def test_the_whole_check_names_every_misspelt_key_and_notes_the_users_own_sections(tmp_path):
    raw = committed_params()
    raw["train"]["max_dept"] = raw["train"].pop("max_depth")
    raw["evaluate"]["threshold"] = 1.5
    raw["mine"] = {"a": 1}
    path = tmp_path / "params.yaml"
    assert check_error(raw, path) == (
        f"{path}: unknown key 'train.max_dept' (did you mean 'train.max_depth'?); "
        "key 'evaluate.threshold' should be between 0 and 1, got 1.5"
    )
    del raw["train"]["max_dept"], raw["evaluate"]
    with pytest.raises(ChurnError, match="section 'evaluate' is missing or not a mapping"):
        check_params(raw, path)
    assert check_params({**committed_params(), "mine": {"a": 1}}, path) == ["mine"]


def test_every_problem_of_a_section_is_named_at_once(tmp_path):
    """Not the first per section: a user fixing params.yaml sees all that is wrong in one run,
    including values that would otherwise fail only inside dvc repro (the model's name, the
    generator's months)."""
    raw = committed_params()
    raw["train"] |= {"subsample": 1.5, "max_depth": 0, "model": "xgbost", "nthread": "two"}
    raw["generate"] |= {"months": 0, "start_month": "2026-13", "customers": 0}
    raw["contract"] |= {"new_column": "keep", "max_quarantined": 1.5}
    raw["data"] |= {"decimal": ";", "delimiter": "||"}
    path = tmp_path / "params.yaml"
    assert check_error(raw, path) == (
        f"{path}: key 'generate.customers' should be at least 1, got 0; "
        "key 'generate.start_month' should be YYYY-MM, got '2026-13'; "
        "key 'generate.months' should be at least 1, got 0; "
        "data.delimiter must be auto , ; tab or |, got '||'; "
        "data.decimal must be '.' or ',', got ';'; "
        "key 'train.nthread' should be int, got 'two'; "
        "key 'contract.max_quarantined' should be between 0 and 1, got 1.5; "
        "contract.new_column must be one of ignore|include|fail, got 'keep'"
    )
    raw["train"]["nthread"] = 2  # with the types right, the ranges are checked, all of them
    assert (
        "key 'train.model' should be xgboost or logistic_regression, got 'xgbost'; "
        "key 'train.subsample' should be in (0, 1], got 1.5; "
        "key 'train.max_depth' should be at least 1, got 0; "
    ) in check_error(raw, path)


def test_make_repro_checks_params_whole_before_dvc_repro(tmp_path):
    """Under dvc repro alone a misspelt section or key makes no stage stale, so nothing reads it:
    the check comes first, and stops the run (one line, exit 2)."""
    recipe = re.search(r"^repro:.*\n((?:\t.*\n)+)", (REPO / "Makefile").read_text(), re.M)
    commands = recipe.group(1).split("\n")
    assert commands[0].endswith("python -m churn.check_params") and "dvc repro" in commands[1]
    text = (REPO / "params.yaml").read_text().replace("\ntrain:", "\ntrian:")
    (tmp_path / "params.yaml").write_text(text)
    result = run_module([sys.executable, "-m", "churn.check_params"], cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == (
        "churn.check_params: error: params.yaml: unknown section 'trian' (did you mean 'train'?)\n"
    )


NO_AWS_SETTINGS = {
    "AWS_ACCESS_KEY_ID": "",
    "AWS_SECRET_ACCESS_KEY": "",
    "AWS_SESSION_TOKEN": "",
    "AWS_PROFILE": "",
    "AWS_CONFIG_FILE": "/nonexistent/aws-config",
    "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/aws-credentials",
    "AWS_EC2_METADATA_DISABLED": "true",  # no instance-role lookup beyond loopback
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI": "",
    "AWS_WEB_IDENTITY_TOKEN_FILE": "",
}


def check_params_with(tmp_path: Path, source: str, settings: dict[str, str], *options: str):
    """`python -m churn.check_params` on the committed params with ingest.source replaced, in an
    environment without (or with) AWS settings."""
    text = re.sub(r"(?m)^(  source: ).*$", rf"\g<1>{source}", (REPO / "params.yaml").read_text())
    (tmp_path / "params.yaml").write_text(text)
    if not (tmp_path / "contracts").exists():  # data.contract, read as well
        shutil.copytree(REPO / "contracts", tmp_path / "contracts")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")} | settings
    return run_module(
        [sys.executable, "-m", "churn.check_params", *options],
        cwd=tmp_path,
        env={k: v for k, v in env.items() if v},
    )


def test_an_s3_source_without_credentials_is_named_before_dvc_repro(tmp_path):
    """Under dvc repro, DVC hashes an s3:// source before ingest runs and stops with a line that
    names the stage ('Unable to locate credentials'); make repro names the param first."""
    result = check_params_with(tmp_path, "s3://exports/customers/", NO_AWS_SETTINGS)
    assert result.returncode == 2
    assert result.stderr == (
        "churn.check_params: error: params.yaml: ingest.source: s3://exports/customers/: "
        "no AWS credentials found (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE "
        "or ~/.aws/credentials)\n"
    )
    unknown_profile = {**NO_AWS_SETTINGS, "AWS_PROFILE": "team"}
    profile = check_params_with(tmp_path, "s3://exports/", unknown_profile)
    assert profile.returncode == 2 and "ingest.source: s3://exports/: " in profile.stderr
    assert "The config profile (team) could not be found" in profile.stderr
    keys = {**NO_AWS_SETTINGS, "AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s"}
    assert check_params_with(tmp_path, "s3://exports/", keys).returncode == 0
    assert check_params_with(tmp_path, "data/raw", NO_AWS_SETTINGS).returncode == 0
    file_only = check_params_with(tmp_path, "s3://exports/", NO_AWS_SETTINGS, "--file-only")
    assert file_only.returncode == 0, file_only.stderr


def test_params_yaml_is_in_the_style_dvc_exp_run_s_writes(tmp_path):
    """`dvc exp run -S` rewrites params.yaml through DVC's YAML round trip (its modifier for
    .yaml files); kept in that style, an experiment changes only the lines of the values it
    sets, comments and all, so `git diff params.yaml` shows just those."""
    from dvc.utils.serialize import MODIFIERS

    path = tmp_path / "params.yaml"
    committed = (REPO / "params.yaml").read_text()
    path.write_text(committed)
    with MODIFIERS[".yaml"](path) as params:
        params["train"]["max_depth"] = params["train"]["max_depth"] + 1
    before, after = committed.splitlines(), path.read_text().splitlines()
    changed = [(old, new) for old, new in zip(before, after, strict=True) if old != new]
    assert [new.split("#")[0].split() for _, new in changed] == [
        ["max_depth:", str(parse_yaml(committed)["train"]["max_depth"] + 1)]
    ]


SOURCE_PROBLEMS = {
    "": "key 'ingest.source' should name the file, folder or URL to read, got ''",
    "/tmp/own/exports/*.csv": "key 'ingest.source' is a glob, which DVC cannot track: put the "
    "folder in ingest.source ('/tmp/own/exports/') and the pattern in ingest.files ('*.csv'), "
    "got '/tmp/own/exports/*.csv'",
    "s3://b/2026-0?/*.csv": "key 'ingest.source' is a glob, which DVC cannot track: put the "
    "folder in ingest.source ('s3://b/') and the pattern in ingest.files ('2026-0?/*.csv'), "
    "got 's3://b/2026-0?/*.csv'",
    "~/own_exports": "key 'ingest.source' starts with ~, which is not expanded: write the full "
    "path, got '~/own_exports'",
    "/tmp/Bob's exports": "key 'ingest.source' holds a ' (quote), which dvc.yaml's "
    'single-quoted command cannot pass: rename it, got "/tmp/Bob\'s exports"',
}


@pytest.mark.parametrize(("source", "message"), SOURCE_PROBLEMS.items())
def test_an_ingest_source_dvc_cannot_track_is_refused_with_what_to_do(tmp_path, source, message):
    """'' gave 'ERROR: unexpected error', a glob or ~ 'No such file or directory' inside dvc
    repro; each is named with the other problems of the params before it runs."""
    raw = committed_params()
    raw["ingest"]["source"] = source
    raw["split"]["valid_size"] = 2
    path = tmp_path / "params.yaml"
    assert check_error(raw, path) == (
        f"{path}: {message}; key 'split.valid_size' should be between 0 and 1, got 2.0"
    )


def test_a_source_named_with_spaces_or_brackets_that_exists_is_accepted(tmp_path):
    folder = tmp_path / "my exports [2026]"
    folder.mkdir()
    raw = committed_params()
    raw["ingest"] |= {"source": str(folder), "files": "2026-*/*.csv"}
    assert check_params(raw, tmp_path / "params.yaml") == []
    raw["ingest"]["files"] = "Bob's*.csv"
    raw["data"]["contract"] = "contracts/Bob's.yaml"
    assert check_error(raw, tmp_path / "params.yaml").count("holds a ' (quote)") == 2


def test_the_query_string_of_a_web_url_is_no_glob(tmp_path):
    """A presigned URL's '?token=...' was refused as a glob, with advice to split it."""
    raw = committed_params()
    raw["ingest"]["source"] = "https://example.com/data.csv?token=abc"
    assert check_params(raw, tmp_path / "params.yaml") == []
    raw["ingest"]["source"] = "https://example.com/*.csv"
    assert "is a glob" in check_error(raw, tmp_path / "params.yaml")


def test_check_params_refuses_a_glob_source_in_one_line(tmp_path):
    result = check_params_with(tmp_path, "'/tmp/own/exports/*.csv'", NO_AWS_SETTINGS)
    assert result.returncode == 2 and len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("churn.check_params: error: params.yaml: key 'ingest.source'")


def test_a_slice_pandas_cannot_read_is_refused_before_training(tmp_path):
    """A slice query with a syntax error failed only in evaluate, after training."""
    raw = committed_params()
    raw["evaluate"]["slices"] |= {
        "new_customers": "tenure_months <",
        "odd": "tenure_months < 3 and (a if b else c)",
        "local": "tenure_months < @cutoff",
        "assigned": "tenure_months = 3",
        "blank": " ",
        "spaced": "`days since order` > 30 & device.str.startswith('mob')",
    }
    path = tmp_path / "params.yaml"
    assert check_error(raw, path) == (
        f"{path}: key 'evaluate.slices.new_customers' is not a valid pandas query (invalid "
        "syntax), got 'tenure_months <'; "
        "key 'evaluate.slices.odd' is not a valid pandas query ('IfExp' nodes are not "
        "implemented), got 'tenure_months < 3 and (a if b else c)'; "
        "key 'evaluate.slices.local' uses @, a Python variable evaluate has none of: write the "
        "value, "
        "got 'tenure_months < @cutoff'; "
        "key 'evaluate.slices.assigned' is an assignment, not a condition, "
        "got 'tenure_months = 3'; "
        "key 'evaluate.slices.blank' is empty: write a condition such as tenure_months < 3, "
        "got ' '"
    )


def test_check_params_reads_the_committed_slices_without_importing_pandas():
    """make repro runs it before dvc repro: importing pandas for three comparisons took 0.5 s of
    its 0.6 s."""
    code = "import sys; from churn.check_params import main; main([]); print(*sorted(sys.modules))"
    tested = {"PYTHONPATH": str(Path(check_params_module.__file__).parents[1])}  # this churn
    run = [sys.executable, "-c", code]
    result = subprocess.run(run, cwd=REPO, env=os.environ | tested, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "pandas" not in result.stdout.split()


def test_two_roles_naming_one_column_are_refused(tmp_path):
    """data.id: churned read the label as an id; data.target: customer_id with data.id
    customer_id trained on the ids (split failed on their mean)."""
    raw = committed_params()
    raw["data"] |= {"id": "churned", "timestamp": "churned"}
    path = tmp_path / "params.yaml"
    assert check_error(raw, path) == (
        f"{path}: data.target and data.id both name column 'churned': each role needs its own "
        "column; data.target and data.timestamp both name column 'churned': each role needs its "
        "own column"
    )


def test_the_generate_section_may_go_with_the_generate_stage(tmp_path):
    """README's own-data recipe says to remove the generate stage; removing its params section
    too made `make repro` stop with "section 'generate' is missing or not a mapping"."""
    path = tmp_path / "params.yaml"
    dvc_file = yaml.safe_load((REPO / "dvc.yaml").read_text())
    raw = committed_params()
    del raw["generate"]
    (tmp_path / "dvc.yaml").write_text(yaml.safe_dump(dvc_file))
    assert "section 'generate' is missing" in check_error(raw, path)  # its stage still reads it
    del dvc_file["stages"]["generate"]
    (tmp_path / "dvc.yaml").write_text(yaml.safe_dump(dvc_file))
    assert check_params(raw, path) == []
    del raw["train"]
    assert "section 'train' is missing" in check_error(raw, path)


def test_a_local_source_that_is_not_there_is_named_before_dvc_repro(tmp_path):
    """dvc repro ran the generate stage first, then stopped with "failed to reproduce 'ingest':
    [Errno 2] No such file or directory", naming no param; a stage's output (generate's
    data/raw, made by dvc repro) and an existing folder are accepted."""
    (tmp_path / "dvc.yaml").write_text((REPO / "dvc.yaml").read_text())
    absent = check_params_with(tmp_path, str(tmp_path / "exports"), NO_AWS_SETTINGS)
    assert absent.returncode == 2
    assert absent.stderr == (
        f"churn.check_params: error: params.yaml: ingest.source: {tmp_path / 'exports'}: "
        "no such file or folder\n"
    )
    assert check_params_with(tmp_path, "data/raw", NO_AWS_SETTINGS).returncode == 0
    assert check_params_with(tmp_path, "data/raw/2026-01.csv", NO_AWS_SETTINGS).returncode == 0
    (tmp_path / "exports").mkdir()
    assert check_params_with(tmp_path, str(tmp_path / "exports"), NO_AWS_SETTINGS).returncode == 0
    file_only = check_params_with(tmp_path, "absent/", NO_AWS_SETTINGS, "--file-only")
    assert file_only.returncode == 0


@pytest.mark.parametrize(
    ("section", "key", "value", "message"),
    [
        (
            "gate",
            "tolerances",
            {"test.roc_auc": "abc", "test.f1": 0.03},
            "'gate.tolerances.test.roc_auc' should be float, got 'abc'",
        ),
        (
            "gate",
            "tolerances",
            {"test.roc_auc": None},
            "'gate.tolerances.test.roc_auc' should be float, got None",
        ),
        ("evaluate", "slices", {"new": 3}, "'evaluate.slices.new' should be str, got 3"),
    ],
)
def test_a_wrong_entry_of_a_mapping_param_is_named_not_the_whole_mapping(
    section, key, value, message
):
    """It said `key 'gate.tolerances' should be dict, got {...every tolerance...}`."""
    raw = dict(yaml.safe_load((REPO / "params.yaml").read_text())[section])
    raw[key] = value
    with pytest.raises(ChurnError, match=re.escape(message)):
        section_from_mapping(SECTIONS[section], section, raw)


def test_a_contract_that_cannot_be_read_is_named_before_dvc_repro(tmp_path):
    """A misspelt data.contract stopped validate, after dvc repro had run generate and ingest."""
    assert check_params_with(tmp_path, "data/raw", NO_AWS_SETTINGS).returncode == 0
    text = (tmp_path / "params.yaml").read_text()
    for contract, problem in [
        ("contracts/churnn.yaml", "contracts/churnn.yaml: no such file (did you mean "
         "'contracts/churn.yaml'?)"),
        ("contracts", "contracts: a folder, not a file"),
        ("params.yaml", "params.yaml: expected a mapping with a 'columns' section"),
    ]:  # fmt: skip
        (tmp_path / "params.yaml").write_text(
            text.replace("contract: contracts/churn.yaml", f"contract: {contract}")
        )
        result = run_module([sys.executable, "-m", "churn.check_params"], cwd=tmp_path)
        assert result.returncode == 2
        prefix = "churn.check_params: error: params.yaml: data.contract: "
        assert result.stderr == f"{prefix}{problem}\n"
    result = run_module([sys.executable, "-m", "churn.check_params", "--file-only"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1e-3", 0.001),  # a float in YAML 1.2; PyYAML read the text '1e-3', refused as a float
        ("5E+2", 500.0),
        ("0042", 42),  # PyYAML: octal, 34
        ("09", 9),  # PyYAML: the text '09'
        ("0o17", 15),  # PyYAML: the text '0o17'
        ("1:30", "1:30"),  # PyYAML: sexagesimal, 90
        ("1_000", 1000),
        ("0x1F", 31),
        (".5", 0.5),
        ("2026-01", "2026-01"),
    ],
)
def test_numbers_read_as_dvc_reads_them_in_yaml_1_2(text, value):
    from ruamel.yaml import YAML  # DVC's YAML reader

    read = parse_yaml(f"v: {text}\n", as_dvc=True)["v"]
    assert read == value and type(read) is type(value)
    assert YAML(typ="safe", pure=True).load(f"v: {text}\n")["v"] == value
