"""`python -m MODULE ARGS` in a process of its own, without paying the libraries' import each time.

A stage CLI or the API spends one to three seconds importing pandas, pyarrow, scikit-learn,
XGBoost and uvicorn before it does anything; tests that run them a few hundred times paid
that each time. A ForkServer is a helper process that imported those libraries once; for each
command it forks a child, which takes the command's folder, environment, `sys.path` (its
PYTHONPATH first, as a new interpreter's), stdin (empty), stdout and stderr (files), imports
churn afresh and runs the module as `python -m` does (`runpy`, as `__main__`). An exception that
escapes prints its traceback and exits 1, as the interpreter's would, so "no traceback" checks
keep their meaning; a child still running at the timeout is killed. The libraries must start no
thread on import (they do not), and the modules run must do nothing on import (churn's do not).
A library that reads the environment on import saw the server's: fsspec takes its FSSPEC_*
settings (the S3 endpoint of the tests) then, so tests that set them start a real process.
"""

from __future__ import annotations

import atexit
import json
import os
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

SERVER = r"""
import atexit, importlib, json, os, runpy, signal, sys, tempfile, time, traceback

def own(name):
    return name == "churn" or name.startswith("churn.")

for name in sys.argv[1:]:
    importlib.import_module(name)
for name in [name for name in sys.modules if own(name)]:
    del sys.modules[name]  # each child imports churn itself, from its own PYTHONPATH
SITE_PATH = [entry for entry in sys.path
             if entry and entry not in os.environ.get("PYTHONPATH", "").split(os.pathsep)]
requests, replies = sys.stdin, os.fdopen(os.dup(1), "w")
os.dup2(os.open(os.devnull, os.O_WRONLY), 1)  # a stray print here would break the replies

def exit_code(exit):
    if exit.code is None or isinstance(exit.code, int):
        return exit.code or 0
    print(exit.code, file=sys.stderr)
    return 1

def child(request, out, err):
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    python_path = [p for p in request["env"].get("PYTHONPATH", "").split(os.pathsep) if p]
    sys.path[:] = [request["cwd"], *python_path, *SITE_PATH]
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    os.dup2(out, 1)
    os.dup2(err, 2)
    sys.argv = [request["module"], *request["args"]]
    try:
        runpy.run_module(request["module"], run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as exit:
        code = exit_code(exit)
    except BaseException:
        traceback.print_exc()
        code = 1
    atexit._run_exitfuncs()  # as the interpreter does at exit; then no finalizing twice
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)

def wait(pid, timeout):
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status), False
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]), True
        time.sleep(0.005)

for line in requests:
    request = json.loads(line)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        pid = os.fork()
        if pid == 0:
            child(request, out.fileno(), err.fileno())
        code, timed_out = wait(pid, request["timeout"])
        out.seek(0)
        err.seek(0)
        reply = {"returncode": code, "timed_out": timed_out,
                 "stdout": out.read().decode(errors="replace"),
                 "stderr": err.read().decode(errors="replace")}
    replies.write(json.dumps(reply) + "\n")
    replies.flush()
"""


class ForkServer:
    """The helper process, with `preload` imported (in env: default, this process's); run()
    takes a `python -m` command."""

    def __init__(self, preload: list[str], env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", SERVER, *preload],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.lock = threading.Lock()  # one request at a time on the pipes

    def run(
        self,
        command: list[str],
        cwd: Path | str,
        env: dict[str, str] | None = None,
        timeout: float = 120,
    ) -> subprocess.CompletedProcess:
        """As subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
        timeout=timeout) for a command [sys.executable, "-m", module, *args]."""
        assert command[:2] == [sys.executable, "-m"], command
        request = {
            "module": command[2],
            "args": [str(arg) for arg in command[3:]],
            "cwd": str(Path(cwd).resolve()),
            "env": dict(os.environ if env is None else env),
            "timeout": timeout,
        }
        assert self.process.stdin and self.process.stdout
        with self.lock:
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
            line = self.process.stdout.readline()
        assert line, "the fork server stopped (see its stderr above)"
        reply = json.loads(line)
        if reply["timed_out"]:
            raise subprocess.TimeoutExpired(command, timeout, reply["stdout"], reply["stderr"])
        return subprocess.CompletedProcess(
            command, reply["returncode"], stdout=reply["stdout"], stderr=reply["stderr"]
        )

    def close(self) -> None:
        assert self.process.stdin
        self.process.stdin.close()
        self.process.wait(timeout=30)


@dataclass
class Step:
    """`python -m module *args` in cwd."""

    cwd: Path
    module: str
    args: list[str] = field(default_factory=list)


def run_forked(
    runs: list[list[Step]], env: dict[str, str] | None = None, timeout: float = 600
) -> list[subprocess.CompletedProcess]:
    """Each run's steps in order until one exits non-zero, on a ForkServer of their modules;
    per run, the last step's completed process, in the order of runs."""
    server = ForkServer(sorted({step.module for steps in runs for step in steps}), env)
    try:
        return [run_steps(server, steps, env, timeout) for steps in runs]
    finally:
        server.close()


def run_steps(server: ForkServer, steps: list[Step], env, timeout) -> subprocess.CompletedProcess:
    for step in steps:
        command = [sys.executable, "-m", step.module, *map(str, step.args)]
        result = server.run(command, step.cwd, env, timeout)
        if result.returncode != 0:
            break
    return result


# What the stage CLIs and the API import between them (uvicorn's command line included)
LIBRARIES = [
    "churn.serve", "churn.predict", "churn.challenge", "churn.drift", "churn.evaluate",
    "churn.train", "churn.report", "uvicorn.main",
]  # fmt: skip
_shared: list[ForkServer] = []


def run_module(
    command: list[str], cwd: Path | str = ".", env: dict[str, str] | None = None, timeout=120
) -> subprocess.CompletedProcess:
    """ForkServer.run on this process's shared server (started on first use, with LIBRARIES
    imported; stopped at exit)."""
    if not _shared:
        _shared.append(ForkServer(LIBRARIES))
        atexit.register(_shared[0].close)
    return _shared[0].run(command, cwd, env, timeout)
