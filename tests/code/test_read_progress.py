"""Batch scoring's progress over a CSV (churn.read_progress): a total, a share, a time left."""

from __future__ import annotations

import gzip
import io

from tqdm import tqdm

from churn.read_progress import advance, estimated_rows
from churn.tables import open_table


def test_a_csv_gets_an_estimated_row_count_and_a_bar_that_ends_at_100_percent(tmp_path):
    """The bar of a CSV had no total (`200000rows [00:07, 27457rows/s]`), Parquet's had."""
    lines = ["customer_id,spend"] + [f"C{n:07d},{n % 97}.5" for n in range(200_000)]
    (tmp_path / "in.csv").write_text("\n".join(lines) + "\n")
    with open_table(str(tmp_path / "in.csv")) as handle:
        total = estimated_rows(handle, "in.csv")
        assert handle.tell() == 0
    assert abs(total - 200_000) < 200_000 * 0.02
    (tmp_path / "small.csv").write_text("\n".join(lines[:11]))  # no line break at the end
    with open_table(str(tmp_path / "small.csv")) as handle:
        assert estimated_rows(handle, "small.csv") == 10
    (tmp_path / "in.csv.gz").write_bytes(gzip.compress(b"a\n1\n"))
    with open_table(str(tmp_path / "in.csv.gz")) as handle:
        assert estimated_rows(handle, "in.csv.gz") is None  # rows counted, without a total
    with tqdm(total=100, file=io.StringIO()) as bar:
        advance(bar, 60)
        advance(bar, 60)  # the estimate was short: the total follows the rows
        assert (bar.n, bar.total) == (120, 120)
        advance(bar, 0, done=True)
        assert bar.total == 120
    with tqdm(total=100, file=io.StringIO()) as bar:
        advance(bar, 90)
        advance(bar, 0, done=True)  # the estimate was long: the bar ends at 100%
        assert (bar.n, bar.total) == (90, 90)
