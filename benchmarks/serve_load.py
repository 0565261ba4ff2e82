"""Bounded serving benchmark: API latency and throughput from a second process; batch scoring.

Run after `dvc repro` (uses models/, data/interim/split/test.parquet, data/processed/test.parquet):
    python benchmarks/serve_load.py [--single 300] [--bulk 20] [--batch-only]
                                    [--copies 1 10 100] [--memory-copies 1 10 100]
                                    [--cpu-copies 10]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import xgboost as xgb

from churn import predict

ROOT = Path(__file__).resolve().parents[1]
RAW_TEST = ROOT / "data/interim/split/test.parquet"
MATRIX_TEST = ROOT / "data/processed/test.parquet"
# Pipeline outputs read here and by the server and churn.predict it starts: a fresh clone has none.
INPUTS = (RAW_TEST, MATRIX_TEST, ROOT / "models/model.json", ROOT / "models/features.json")


def missing_inputs() -> str | None:
    """One line naming the pipeline outputs that are not there, or None: a fresh clone gave a
    FileNotFoundError traceback."""
    missing = [str(path.relative_to(ROOT)) for path in INPUTS if not path.is_file()]
    if not missing:
        return None
    return f"serve_load: not found: {', '.join(missing)}; run `dvc repro` (or `dvc pull`) first"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    command = [sys.executable, "-m", "uvicorn", "churn.serve:app", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--log-level", "warning"]
    env = dict(os.environ, CHURN_MAX_BODY_BYTES="20000000")
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit("server did not start")


def timed_posts(client: httpx.Client, url: str, bodies: list) -> np.ndarray:
    """Latency in seconds of each POST, sent one after another."""
    latencies = []
    for body in bodies:
        start = time.perf_counter()
        client.post(url, content=body, headers={"content-type": "application/json"})
        latencies.append(time.perf_counter() - start)
    return np.asarray(latencies)


def summarise(name: str, latencies: np.ndarray, records_per_request: int) -> dict:
    total = latencies.sum()
    return {
        "case": name,
        "requests": len(latencies),
        "p50_ms": round(float(np.percentile(latencies, 50)) * 1000, 2),
        "p99_ms": round(float(np.percentile(latencies, 99)) * 1000, 2),
        "requests_per_s": round(len(latencies) / total, 1),
        "records_per_s": round(len(latencies) * records_per_request / total, 0),
    }


def api_load(rows: pd.DataFrame, single: int, bulk: int) -> list[dict]:
    port = free_port()
    server = start_server(port)
    records = json.loads(rows.drop(columns="snapshot_month").to_json(orient="records"))
    singles = [json.dumps(records[i % len(records)]).encode() for i in range(single)]
    bulks = [json.dumps(records[i * 1000 % 15000 :][:1000]).encode() for i in range(bulk)]
    try:
        with httpx.Client(timeout=120) as client:
            url = f"http://127.0.0.1:{port}/predict"
            timed_posts(client, url, singles[:10])  # warm-up
            return [
                summarise("1 record / request", timed_posts(client, url, singles), 1),
                summarise("1000 records / request", timed_posts(client, url, bulks), 1000),
            ]
    finally:
        server.terminate()
        server.wait(timeout=10)


def best_of(repeats: int, task) -> float:
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        task()
        timings.append(time.perf_counter() - start)
    return min(timings)


def repeated_rows(copies: int, folder: str, suffix: str = "parquet") -> str:
    """The test rows `copies` times (ids made unique) as Parquet or CSV; returns the path."""
    raw = pd.read_parquet(RAW_TEST)
    if copies > 1:
        raw = pd.concat(
            [raw.assign(customer_id=raw["customer_id"] + f"-{k}") for k in range(copies)],
            ignore_index=True,
        )
    path = f"{folder}/rows-{copies}.{suffix}"
    if suffix == "csv":
        raw.to_csv(path, index=False)
    else:
        raw.to_parquet(path)
    return path


# Runs a command as its own child and prints that child's peak resident memory (KiB). A process
# forked straight from this benchmark would report this (large) process's memory as its peak.
PEAK_OF_CHILD = (
    "import resource, subprocess, sys; "
    "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def scoring_process(path: str, folder: str) -> dict:
    """Rows, peak resident memory and seconds of `python -m churn.predict` on one file."""
    summary = f"{folder}/summary.json"
    outputs = ["--output", f"{folder}/scores.parquet", "--rejects", f"{folder}/rejects.parquet"]
    command = [
        sys.executable,
        "-m",
        "churn.predict",
        "--input",
        path,
        "--summary",
        summary,
        *outputs,
    ]
    start = time.perf_counter()
    measured = subprocess.run(
        [sys.executable, "-c", PEAK_OF_CHILD, *command], capture_output=True, text=True
    )
    seconds = time.perf_counter() - start
    if measured.returncode != 0:
        raise SystemExit(f"scoring {path} failed:\n{measured.stderr}")
    rows = json.loads(Path(summary).read_text())["rows_in"]
    peak_mib = int(measured.stdout.split()[-1]) // 1024
    return {"rows": rows, "peak_mib": peak_mib, "seconds": round(seconds, 1)}


def batch_memory(copies_list: list[int]) -> list[dict]:
    """Peak memory of batch scoring as the input grows, for Parquet and CSV input."""
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for copies in copies_list:
            for suffix in ("parquet", "csv"):
                path = repeated_rows(copies, folder, suffix)
                results.append({"format": suffix, **scoring_process(path, folder)})
                os.remove(path)
    return results


def file_to_file(booster: xgb.Booster, matrix_path: str, out_path: str) -> None:
    """The least any file-to-file scorer does: read a ready model matrix, predict, write."""
    table = pq.read_table(matrix_path)
    columns = [table.column(name).to_numpy() for name in booster.feature_names]
    probabilities = booster.inplace_predict(np.column_stack(columns).astype(np.float32))
    pq.write_table(pa.table({"churn_probability": probabilities}), out_path)


def batch_vs_booster(repeats: int, copies: int) -> dict:
    """churn.predict end to end (read, check, features, score, write) vs inplace_predict alone."""
    booster = xgb.Booster()
    booster.load_model(str(ROOT / "models/model.json"))
    with tempfile.TemporaryDirectory() as folder:
        path = repeated_rows(copies, folder)
        test = pd.read_parquet(MATRIX_TEST)[booster.feature_names].to_numpy(np.float32)
        matrix = np.tile(test, (copies, 1))
        baseline = best_of(repeats, lambda: booster.inplace_predict(matrix))
        matrix_path = f"{folder}/matrix.parquet"
        pd.DataFrame(matrix, columns=booster.feature_names).to_parquet(matrix_path)
        ceiling = best_of(
            repeats, lambda: file_to_file(booster, matrix_path, f"{folder}/p.parquet")
        )
        args = ["--input", path, "--output", f"{folder}/s.parquet"]
        with open(os.devnull, "w") as quiet:
            sys.stdout, saved = quiet, sys.stdout
            try:
                batch = best_of(repeats, lambda: predict.main(args))
            finally:
                sys.stdout = saved
    rows = len(matrix)
    return {
        "rows": rows,
        "inplace_predict_rows_per_s": round(rows / baseline),
        "churn_predict_rows_per_s": round(rows / batch),
        "ratio": round(baseline / batch, 3),
        "file_to_file_ceiling_rows_per_s": round(rows / ceiling),
        "ceiling_ratio": round(baseline / ceiling, 3),
    }


def process_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def batch_cpu(repeats: int, copies: int) -> dict:
    """CPU seconds of churn.predict in this process (medians of repeats): the main thread's
    (reading, checks, model matrix), all threads' (the model's too), and wall seconds. Less
    noisy than wall time on a shared machine: what the main thread spends outside the model
    costs wall time while the model keeps every core busy."""
    with tempfile.TemporaryDirectory() as folder:
        path = repeated_rows(copies, folder)
        args = ["--input", path, "--output", f"{folder}/s.parquet"]
        runs = []
        with open(os.devnull, "w") as quiet:
            sys.stdout, saved = quiet, sys.stdout
            try:
                predict.main(args)  # imports and first-call set-up outside the timing
                for _ in range(repeats):
                    started = (time.perf_counter(), process_cpu(), time.thread_time())
                    predict.main(args)
                    ended = (time.perf_counter(), process_cpu(), time.thread_time())
                    runs.append([end - start for start, end in zip(started, ended, strict=True)])
            finally:
                sys.stdout = saved
    wall, cpu, main_thread = (float(np.median(column)) for column in zip(*runs, strict=True))
    return {
        "rows": copies * len(pd.read_parquet(RAW_TEST, columns=["customer_id"])),
        "wall_s": round(wall, 3),
        "process_cpu_s": round(cpu, 3),
        "main_thread_cpu_s": round(main_thread, 3),
    }


def batch_fixed_cost(repeats: int, rows: int = 10) -> dict:
    """Seconds of churn.predict on a file of `rows` rows (best of repeats): its cost per call
    whatever the input's size (arguments, artifacts, the outputs' files, one chunk's checks)."""
    with tempfile.TemporaryDirectory() as folder:
        path = f"{folder}/tiny.parquet"
        pd.read_parquet(RAW_TEST).head(rows).to_parquet(path)
        args = ["--input", path, "--output", f"{folder}/s.parquet"]
        with open(os.devnull, "w") as quiet:
            sys.stdout, saved = quiet, sys.stdout
            try:
                predict.main(args)  # imports and first-call set-up outside the timing
                seconds = best_of(max(repeats, 5), lambda: predict.main(args))
            finally:
                sys.stdout = saved
    return {"rows": rows, "seconds_per_call": round(seconds, 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--single", type=int, default=300, help="single-record requests")
    parser.add_argument("--bulk", type=int, default=20, help="1000-record requests")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batch-only", action="store_true", help="skip the API (no server)")
    parser.add_argument(
        "--cpu-copies",
        type=int,
        nargs="*",
        default=[10],
        help="input sizes (in test sets) for the CPU-time runs (batch_cpu); none to skip them",
    )
    parser.add_argument(
        "--copies", type=int, nargs="+", default=[1, 10, 100], help="batch sizes, in test sets"
    )
    parser.add_argument(
        "--memory-copies",
        type=int,
        nargs="*",
        default=[1, 10, 100],
        help="input sizes (in test sets) for the peak-memory runs; none to skip them",
    )
    args = parser.parse_args()
    if problem := missing_inputs():
        print(problem, file=sys.stderr)
        raise SystemExit(2)
    os.chdir(ROOT)
    result = {}
    if not args.batch_only:
        result["api"] = api_load(pd.read_parquet(RAW_TEST), args.single, args.bulk)
    result["batch"] = [batch_vs_booster(args.repeats, copies) for copies in args.copies]
    result["batch_fixed_cost"] = batch_fixed_cost(args.repeats)
    result["batch_cpu"] = [batch_cpu(max(args.repeats, 5), copies) for copies in args.cpu_copies]
    result["batch_memory"] = batch_memory(args.memory_copies)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
