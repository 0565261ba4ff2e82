"""Many runs of `python -m churn.<module> ARGS` for the price of one interpreter start.

Each stage CLI spends about a second importing pandas, pyarrow and friends before it reads its
first byte; a corpus of fifty bad inputs paid that a hundred times. Here one helper process
imports the modules once, then forks a child per run: the child changes to the run's folder,
sends its stdout and stderr to files and runs the module as `python -m` does (`runpy`, as
`__main__`; the modules must do nothing on import, as churn's do not). An exception that
escapes prints its traceback and exits 1, as the interpreter's would, so "no traceback" checks
keep their meaning. Each run is still its own process.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

# The helper process: reads the runs as JSON on stdin, writes their results as JSON on stdout.
DRIVER = r"""
import importlib, json, os, runpy, sys, tempfile, traceback

def exit_code(exit):
    if exit.code is None or isinstance(exit.code, int):
        return exit.code or 0
    print(exit.code, file=sys.stderr)
    return 1

def child(step, out, err):
    os.chdir(step["cwd"])
    os.dup2(out, 1)
    os.dup2(err, 2)
    sys.argv = [step["module"], *step["args"]]
    sys.modules.pop(step["module"])  # as in `python -m`: imported once, as __main__
    try:
        runpy.run_module(step["module"], run_name="__main__", alter_sys=True)
        code = 0
    except SystemExit as exit:
        code = exit_code(exit)
    except BaseException:
        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)

def run_step(step):
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        pid = os.fork()
        if pid == 0:
            child(step, out.fileno(), err.fileno())
        _, status = os.waitpid(pid, 0)
        out.seek(0)
        err.seek(0)
        return {"returncode": os.waitstatus_to_exitcode(status),
                "stdout": out.read().decode(errors="replace"),
                "stderr": err.read().decode(errors="replace")}

def run(steps):
    for step in steps:
        result = run_step(step)
        if result["returncode"] != 0:
            break
    return result | {"module": step["module"]}

runs = json.load(sys.stdin)
for module in sorted({step["module"] for steps in runs for step in steps}):
    importlib.import_module(module)  # its imports, once; runpy runs its own code per child
print(json.dumps([run(steps) for steps in runs]))
"""


@dataclass
class Step:
    """`python -m module *args` in cwd."""

    cwd: Path
    module: str
    args: list[str] = field(default_factory=list)


def run_forked(
    runs: list[list[Step]], env: dict[str, str] | None = None, timeout: int = 600
) -> list[subprocess.CompletedProcess]:
    """Each run's steps in order until one exits non-zero; per run, the last step's completed
    process (args: the module), in the order of runs. env: the helper's (default: this one's)."""
    payload = [
        [{"cwd": str(s.cwd), "module": s.module, "args": [str(a) for a in s.args]} for s in steps]
        for steps in runs
    ]
    done = subprocess.run(
        [sys.executable, "-c", DRIVER],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env=env,
    )
    assert done.returncode == 0, f"the forking helper failed:\n{done.stderr}"
    return [
        subprocess.CompletedProcess(
            [r["module"]], r["returncode"], stdout=r["stdout"], stderr=r["stderr"]
        )
        for r in json.loads(done.stdout)
    ]
