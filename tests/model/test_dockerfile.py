"""The image without Docker: the Dockerfile's files, environment, command and health check."""

from __future__ import annotations

import importlib.metadata as metadata
import json
import posixpath
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from churn.applied_contract import read_applied_contract
from churn.serve import create_app
from churn.serve_settings import Settings
from tests.helpers import REPO
from tests.model.server import start_server, write_lock

APP = "/app"  # the image's WORKDIR
JSON = {"content-type": "application/json"}


def instructions() -> list[tuple[str, str]]:
    """The Dockerfile's (INSTRUCTION, arguments) pairs, continuation lines joined."""
    joined = (REPO / "Dockerfile").read_text().replace("\\\n", " ")
    lines = (line.strip() for line in joined.splitlines())
    pairs = (line.split(None, 1) for line in lines if line and not line.startswith("#"))
    return [(pair[0].upper(), pair[1] if len(pair) > 1 else "") for pair in pairs]


def image_env(root: Path) -> dict[str, str]:
    """The ENV values, with the image's /app moved to root."""
    env = {}
    for name, args in instructions():
        if name == "ENV":
            env.update(item.split("=", 1) for item in shlex.split(args))
    return {key: value.replace(APP, str(root)) for key, value in env.items()}


def ignore_rules(text: str) -> list[tuple[bool, re.Pattern[str]]]:
    """.dockerignore as (re-include, regex) rules in order, cleaned as Docker cleans them."""
    rules = []
    for line in text.splitlines():
        pattern = "" if line.startswith("#") else line.strip()
        keep = pattern.startswith("!")
        pattern = pattern.removeprefix("!").strip()
        if pattern:
            pattern = posixpath.normpath(pattern).removeprefix("/")
            rules.append((keep, re.compile(pattern_regex(pattern))))
    return rules


def pattern_regex(pattern: str) -> str:
    """Go's filepath.Match (`*` and `?` stop at `/`, `[...]`, `\\` escapes) plus Docker's `**`,
    which matches any number of folders (`(.*/)?`), or anything at the end of a pattern."""
    tokens = re.findall(r"\*\*/?|\*|\?|\\.?|\[[^\]]*\]|.", pattern)
    regex = []
    for i, token in enumerate(tokens):
        if token.startswith("**"):
            regex.append(".*" if i == len(tokens) - 1 else "(.*/)?")
        elif token in ("*", "?"):
            regex.append("[^/]*" if token == "*" else "[^/]")
        elif token.startswith("[") and token.endswith("]"):
            regex.append(token)
        else:
            regex.append(re.escape(token.removeprefix("\\") or "\\"))
    return "".join(regex)


def in_context(path: str, rules: list[tuple[bool, re.Pattern[str]]]) -> bool:
    """Whether the build context holds path: the last rule matching it, or a folder above it,
    decides (`!` re-includes)."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    excluded = False
    for keep, regex in rules:
        if any(regex.fullmatch(prefix) for prefix in prefixes):
            excluded = not keep
    return not excluded


def context_files(source: str) -> list[str]:
    """The files of a COPY source (file or folder) that .dockerignore leaves in the context."""
    rules = ignore_rules((REPO / ".dockerignore").read_text())
    path = REPO / source
    names = [source]
    if path.is_dir():
        names = [p.relative_to(REPO).as_posix() for p in sorted(path.rglob("*")) if p.is_file()]
    return [name for name in names if in_context(name, rules)]


def copies() -> list[tuple[str, str]]:
    """(source, destination) of every file or folder the Dockerfile's COPY instructions name."""
    pairs = []
    for name, args in instructions():
        if name == "COPY":
            *sources, dest = shlex.split(args)
            pairs += [(posixpath.normpath(source), dest) for source in sources]
    return pairs


def copy_into(root: Path, artifacts: dict[str, Path]) -> None:
    """Carry out the COPY instructions into root from the build context .dockerignore leaves;
    DVC outputs come from `artifacts`. A source outside the context fails, as in `docker build`."""
    for source, dest in copies():
        files = context_files(source)
        assert files, f"COPY {source}: not in the build context (see .dockerignore)"
        target = root / dest.removeprefix(APP).lstrip("/")
        into = target / Path(source).name if dest.endswith("/") else target
        for file in files:
            path = into / Path(file).relative_to(source)
            path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(artifacts.get(file, REPO / file), path)


def image_root(trained, tmp_path: Path) -> Path:
    """A folder holding what the image holds, with the small trained model as DVC outputs."""
    root = tmp_path / "app"
    model, metrics = trained.root / "model.json", trained.root / "eval/metrics.json"
    copy_into(
        root,
        {
            "models/model.json": model,
            "models/features.json": trained.root / "features.json",
            "models/contract.yaml": trained.root / "contract.yaml",
            "metrics/evaluate/metrics.json": metrics,
            "dvc.lock": write_lock(tmp_path / "lock", model, metrics),
        },
    )
    return root


def image_requirements() -> dict[str, str]:
    """requirements-serve.txt as {canonical name: "name==version"}."""
    lines = (REPO / "requirements-serve.txt").read_text().splitlines()
    pins = [line for line in lines if line and not line.startswith("#")]
    return {canonicalize_name(pin.split("==")[0]): pin for pin in pins}


# Only the distributions named in argv[2] (comma-separated) can be imported, as in the image.
SLIM_IMPORTS = """
import importlib.abc, importlib.metadata, sys
from packaging.utils import canonicalize_name
allowed = set(sys.argv[2].split(","))
owners = importlib.metadata.packages_distributions()

class SlimImage(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        dists = owners.get(name.partition(".")[0], [])
        if dists and not any(canonicalize_name(d) in allowed for d in dists):
            raise ModuleNotFoundError(f"No module named {name!r} (not in the image)", name=name)

sys.meta_path.insert(0, SlimImage())
"""
SLIM_SERVER = (
    SLIM_IMPORTS
    + """
import uvicorn
uvicorn.run("churn.serve:app", host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""
)


def test_image_requirements_are_pinned_as_in_requirements_txt_and_closed():
    pins = image_requirements()
    full = (REPO / "requirements.txt").read_text().splitlines()
    assert set(pins.values()) <= set(full)
    for name in pins:
        for text in metadata.distribution(name).requires or []:
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                assert canonicalize_name(requirement.name) in pins, (name, requirement.name)


def test_the_api_serves_from_exactly_the_files_the_image_copies(trained, tmp_path):
    root = image_root(trained, tmp_path)
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO / "src"), **image_env(root)}
    settings = dict(instructions())
    assert "churn.serve:app" in json.loads(settings["CMD"])  # the app start_server runs
    probe = json.loads(settings["HEALTHCHECK"].split("CMD", 1)[1])  # ["python", "-c", CODE]
    for url in start_server(env, root):
        code = probe[-1].replace("127.0.0.1:8000", url.removeprefix("http://"))
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=30)
        assert result.returncode == 0, result.stderr


def test_the_image_applies_the_contract_validate_applied_when_params_name_none(trained, tmp_path):
    """With data.contract: "" the API reads models/contract.yaml, which the image copies
    (CHURN_APPLIED_CONTRACT): without it, it judged records by the feature spec's looser rules."""
    root = image_root(trained, tmp_path)
    params = yaml.safe_load((root / "params.yaml").read_text())
    params["data"]["contract"] = ""
    (root / "params.yaml").write_text(yaml.safe_dump(params))
    app = create_app(Settings.from_env(image_env(root)))
    document = app.openapi()["components"]["schemas"]["Customer"]["properties"]
    applied = read_applied_contract(trained.root / "contract.yaml").column("tenure_months")
    assert (document["tenure_months"]["minimum"], document["tenure_months"]["maximum"]) == (
        applied.min,
        applied.max,
    )


IGNORE = """
# comment
*
!src/
**/__pycache__
!models/*.json
models/secret?.json
!/docs/**/keep.md
"""


@pytest.mark.parametrize(
    ("path", "kept"),
    [
        ("README.md", False),
        ("src/churn/serve.py", True),
        ("src/churn/__pycache__/serve.pyc", False),
        ("__pycache__/x.pyc", False),
        ("models/model.json", True),
        ("models/secret1.json", False),
        ("models/secret12.json", True),
        ("models/old/model.json", False),
        ("docs/keep.md", True),
        ("docs/a/b/keep.md", True),
        ("docs/a/b/other.md", False),
    ],
)
def test_dockerignore_rules_are_read_as_docker_reads_them(path, kept):
    assert in_context(path, ignore_rules(IGNORE)) == kept


def test_every_copy_source_is_in_the_build_context():
    missing = [source for source, _ in copies() if not context_files(source)]
    assert not missing, f"COPY of files .dockerignore leaves out of the build context: {missing}"


def test_the_image_runs_as_a_non_root_user():
    user = dict(instructions())["USER"]
    assert user.split(":")[0] not in ("", "0", "root")


def test_the_api_scores_with_only_the_image_requirements_installed(trained, tmp_path):
    root = image_root(trained, tmp_path)
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO / "src"), **image_env(root)}
    allowed = ",".join([*image_requirements(), "churn-dvc"])
    outside = [sys.executable, "-c", SLIM_IMPORTS + "import sklearn", "0", allowed]
    assert "not in the image" in subprocess.run(outside, capture_output=True, text=True).stderr

    def command(port: int) -> list[str]:
        return [sys.executable, "-c", SLIM_SERVER, str(port), allowed]

    rows = trained.test_rows.head(3).drop(columns=["churned", "snapshot_month"])
    for url in start_server(env, root, command):
        body = rows.to_json(orient="records")
        response = httpx.post(f"{url}/predict", content=body, headers=JSON)
        assert response.status_code == 200, response.text
        assert len(response.json()["predictions"]) == 3


def run_chmods(root: Path) -> None:
    """Carry out the Dockerfile's `RUN chmod ...` instructions in root (the image's /app)."""
    for name, args in instructions():
        if name == "RUN" and args.startswith("chmod "):
            subprocess.run(shlex.split(args.replace(APP, str(root))), cwd=root, check=True)


@pytest.mark.parametrize(("file_mode", "folder_mode"), [(0o600, 0o700), (0o666, 0o777)])
def test_the_service_user_reads_and_cannot_write_the_app_whatever_the_context_modes(
    trained, tmp_path, file_mode, folder_mode
):
    """COPY keeps the build context's modes: files checked out under umask 077 (0600) were
    unreadable by uid 10001, the server refused to start; under umask 000, writable by it."""
    root = image_root(trained, tmp_path)
    paths = [root, *root.rglob("*")]
    for path in paths:
        path.chmod(folder_mode if path.is_dir() else file_mode)
    run_chmods(root)
    try:
        for path in paths:
            mode = path.stat().st_mode
            assert mode & 0o444 == 0o444 and not mode & 0o222, (path, oct(mode))
            assert not path.is_dir() or mode & 0o111 == 0o111, (path, oct(mode))
    finally:
        for path in paths:  # so that pytest can remove them
            path.chmod(0o700 if path.is_dir() else 0o600)
