"""tests/fork_server.py runs a module as `python -m` would: same exit status, output and errors,
a traceback where the interpreter prints one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fork_server import ForkServer, Step, run_forked

MODULE = """
import os, sys, time

def main():
    print("out:", sys.argv[1:], __name__)
    if sys.argv[1] == "where":
        print(os.environ.get("PROBE"), os.getcwd(), sys.path[0])
        return
    if sys.argv[1] == "sleep":
        time.sleep(30)
    if sys.argv[1] == "raise":
        raise ValueError("boom")
    if sys.argv[1] == "message":
        sys.exit("stopped: a message")
    sys.exit(int(sys.argv[1]))

if __name__ == "__main__":
    main()
"""


def with_module(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "probe_cli.py").write_text(MODULE)
    path = os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")]))
    return dict(os.environ) | {"PYTHONPATH": path}


def test_each_run_matches_python_dash_m(tmp_path: Path):
    env = with_module(tmp_path)
    arguments = [["0"], ["2"], ["message"], ["raise"]]
    forked = run_forked([[Step(tmp_path, "probe_cli", args)] for args in arguments], env=env)
    for args, result in zip(arguments, forked, strict=True):
        real = subprocess.run(
            [sys.executable, "-m", "probe_cli", *args],
            cwd=tmp_path, env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert (result.returncode, result.stdout) == (real.returncode, real.stdout), args
        assert result.stderr.splitlines()[-1:] == real.stderr.splitlines()[-1:], args
        assert ("Traceback" in result.stderr) == ("Traceback" in real.stderr) == (args == ["raise"])


def test_a_run_stops_at_its_first_failing_step(tmp_path: Path):
    env = with_module(tmp_path)
    steps = [Step(tmp_path, "probe_cli", ["0"]), Step(tmp_path, "probe_cli", ["3"])]
    failing_first = [Step(tmp_path, "probe_cli", ["4"]), Step(tmp_path, "probe_cli", ["0"])]
    results = run_forked([steps, failing_first], env=env)
    assert [r.returncode for r in results] == [3, 4]


def test_a_command_runs_in_its_own_folder_and_environment_and_is_killed_at_its_timeout(tmp_path):
    server = ForkServer(["json"], with_module(tmp_path))
    try:
        here = tmp_path / "here"
        here.mkdir()
        command = [sys.executable, "-m", "probe_cli", "where"]
        done = server.run(command, here, with_module(tmp_path) | {"PROBE": "set"})
        assert done.stdout.splitlines()[1] == f"set {here} {here}"
        unset = server.run(command, tmp_path, with_module(tmp_path))
        assert unset.stdout.splitlines()[1] == f"None {tmp_path} {tmp_path}"
        with pytest.raises(subprocess.TimeoutExpired):
            server.run([sys.executable, "-m", "probe_cli", "sleep"], tmp_path, timeout=0.5)
        assert server.run(command, tmp_path, with_module(tmp_path)).returncode == 0  # still serving
    finally:
        server.close()


def test_a_stage_cli_gives_the_same_one_line_error(tmp_path: Path):
    args = ["--source", "no-such-exports", "--out", "c.parquet"]
    [forked] = run_forked([[Step(tmp_path, "churn.ingest", args)]])
    real = subprocess.run(
        [sys.executable, "-m", "churn.ingest", *args],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert (forked.returncode, forked.stdout, forked.stderr) == (
        real.returncode, real.stdout, real.stderr,
    )  # fmt: skip
    assert forked.returncode == 2 and forked.stderr.startswith("churn.ingest: error: ")
