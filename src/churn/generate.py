"""Generate stage: deterministic monthly snapshots of a synthetic e-commerce customer base."""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from churn.cohort import Cohort, advance, initial_tenure, join, new_customers, select, sigmoid
from churn.errors import ChurnError, CliParser, run_cli
from churn.market import CATEGORICAL, FILL_MONTHS, MIN_CUSTOMERS, VIDEO_COLUMN, WARMUP_MONTHS
from churn.observation import churn_logit, observe, to_frame
from churn.params import PARAMS_FILE, GenerateParams, load_section

__all__ = ["CATEGORICAL", "VIDEO_COLUMN", "generate_snapshots", "main", "month_starts"]


# The months whose every day pandas' datetime64[ns] holds, as validate reads the snapshot dates
DATED_MONTHS = (pd.Period("1677-10", freq="M"), pd.Period("2262-03", freq="M"))


def month_starts(start_month: str, months: int) -> list[pd.Period]:
    """Consecutive monthly periods from "YYYY-MM"; a ChurnError naming both keys when they run
    outside DATED_MONTHS (the snapshot of year 10000 was a traceback, after the earlier ones)."""
    try:
        start = pd.Period(start_month, freq="M")
    except ValueError as error:
        raise ChurnError(f"generate.start_month: expected YYYY-MM, got {start_month!r}") from error
    last, (first_dated, last_dated) = start + (months - 1), DATED_MONTHS
    if start < first_dated or last > last_dated:
        raise ChurnError(
            f"generate.start_month {start_month} and generate.months {months} run to {last}: "
            f"snapshots must lie from {first_dated} to {last_dated}, the dates pandas holds"
        )
    return [start + k for k in range(months)]


def first_snapshot_size(params: GenerateParams) -> int:
    """Customers in the first snapshot (GenerateParams has checked the values are in range)."""
    return max(MIN_CUSTOMERS, round(params.customers * params.scale))


def simulate_month(
    rng: np.random.Generator, cohort: Cohort, month: int, with_video: bool
) -> tuple[Cohort, Cohort, np.ndarray]:
    """Advance the cohort one month, observe it and draw who churns during the next month."""
    cohort = advance(rng, cohort, month)
    observed = observe(rng, cohort, month, with_video)
    churned = rng.random(len(cohort["id"])) < sigmoid(churn_logit(observed, cohort))
    return cohort, observed, churned


def replace_churners(
    rng: np.random.Generator, cohort: Cohort, churned: np.ndarray, exact: bool
) -> Cohort:
    """Drop churners and sign up about as many new customers (exactly as many if exact)."""
    joiners = int(churned.sum()) if exact else round(churned.sum() * rng.uniform(0.97, 1.05))
    first = int(cohort["id"].max()) + 1
    newcomers = new_customers(rng, np.arange(first, first + joiners), np.full(joiners, -1))
    return join(select(cohort, ~churned), newcomers)


def launch_base(rng: np.random.Generator, size: int) -> Cohort:
    """The customer base just before the first snapshot, after a burn-in with churn."""
    cohort = new_customers(rng, np.arange(1, size + 1), initial_tenure(rng, size) - FILL_MONTHS)
    for month in range(-WARMUP_MONTHS, 0):
        cohort, _, churned = simulate_month(rng, cohort, month, with_video=False)
        if month >= -WARMUP_MONTHS + FILL_MONTHS:  # history windows are full from here
            cohort = replace_churners(rng, cohort, churned, exact=True)
    return cohort


def iter_snapshots(params: GenerateParams) -> Iterator[tuple[str, pd.DataFrame]]:
    """Simulate the customer base month by month, yielding ("2026-01", snapshot) pairs; months
    outside DATED_MONTHS are refused at the call, before write_snapshots clears the folder."""
    return simulate_snapshots(params, month_starts(params.start_month, params.months))


def simulate_snapshots(
    params: GenerateParams, periods: Sequence[pd.Period]
) -> Iterator[tuple[str, pd.DataFrame]]:
    """iter_snapshots for the given months."""
    rng = np.random.default_rng(params.seed)
    cohort = launch_base(rng, first_snapshot_size(params))
    for month, period in enumerate(periods):
        with_video = month + 1 >= params.video_tutorials_from_month
        cohort, observed, churned = simulate_month(rng, cohort, month, with_video)
        yield str(period), to_frame(observed, cohort, churned, period)
        cohort = replace_churners(rng, cohort, churned, exact=False)


def generate_snapshots(params: GenerateParams) -> dict[str, pd.DataFrame]:
    """All monthly snapshots, keyed by month like "2026-01"."""
    return dict(iter_snapshots(params))


def write_snapshots(snapshots: Iterable[tuple[str, pd.DataFrame]], out_dir: Path) -> list[Path]:
    """Replace the snapshot_*.csv files in out_dir with one CSV per (month, snapshot) pair."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in sorted(out_dir.glob("snapshot_*.csv")):
        old.unlink()
    options = pacsv.WriteOptions(quoting_style="none", quoting_header="none")
    paths = []
    for month, frame in snapshots:
        path = out_dir / f"snapshot_{month}.csv"
        pacsv.write_csv(pa.Table.from_pandas(frame, preserve_index=False), path, options)
        paths.append(path)
    return paths


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line arguments: output folder and params file."""
    parser = CliParser(prog="churn.generate", description=__doc__)
    parser.add_argument("--out", type=Path, required=True, help="folder for snapshot_*.csv")
    parser.add_argument("--params", type=Path, default=PARAMS_FILE, help="params.yaml to read")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    """Read params, generate every monthly snapshot and write them as CSV files."""
    args = parse_args(argv)
    params: GenerateParams = load_section("generate", args.params)
    try:
        paths = write_snapshots(iter_snapshots(params), args.out)
    except OSError as error:
        raise ChurnError(f"{args.out}: cannot write snapshots ({error.strerror})") from error
    print(f"churn.generate: wrote {len(paths)} snapshots to {args.out}")


if __name__ == "__main__":
    run_cli(main, "churn.generate")
