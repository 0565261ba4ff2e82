"""CSV rows whose field count is not the header's: kept in their place among the input's rows
and rejected as `fields:<n>` with the line's text, rather than stopping the whole batch."""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.csv as pa_csv

RAW_LINE = "raw_line"  # the rejects' column with such a row's text as the file wrote it


def parse_options(sep: str, handler: Callable[[pa_csv.InvalidRow], str]) -> pa_csv.ParseOptions:
    """Arrow's CSV parsing: quoted values may hold line breaks; rows with too few or too many
    fields go to handler."""
    return pa_csv.ParseOptions(delimiter=sep, newlines_in_values=True, invalid_row_handler=handler)


@dataclass(frozen=True)
class Malformed:
    """One such row: its 0-based place among the input's rows (None when Arrow could not
    number it), its field count and its text."""

    position: int | None
    fields: int
    text: str

    @property
    def reason(self) -> str:
        return f"fields:{self.fields}"


class MalformedRows:
    """Arrow's invalid_row_handler for one CSV read: a line of blanks only (and no delimiter: a
    line of tabs in a tab-separated file is a row of empty values) is a blank line, skipped, as
    has_rows reads it; any other row with too few or too many fields is kept here, placed in
    its batch by place(), and taken by the chunk that holds it (take()). Arrow calls it in
    the order of the file's rows."""

    def __init__(self) -> None:
        self.delimiter, self.names = ",", []  # the file's: set once its header is read
        self.blanks = 0  # blank lines skipped so far: Arrow numbers them as rows
        self.pending: list[Malformed] = []  # found, not yet placed in a batch
        self.placed: dict[int, Malformed] = {}  # by place among the input's rows
        self.rows = 0  # rows (read or malformed) placed so far

    def __call__(self, row: pa_csv.InvalidRow) -> str:
        if not row.text.strip() and self.delimiter not in row.text:
            self.blanks += 1
            return "skip"
        # Arrow numbers rows from 1, the header (skip_rows) included
        at = None if row.number is None else row.number - 2 - self.blanks
        self.pending.append(Malformed(at, row.actual_columns, row.text))
        return "skip"

    def as_batch(self, rows: Sequence[Malformed], schema: pa.Schema) -> pa.RecordBatch:
        """The rows' fields in the header's columns as far as they go (their text is kept whole
        in the rejects' RAW_LINE)."""
        width = len(self.names)
        fields = [next(csv.reader([row.text], delimiter=self.delimiter), []) for row in rows]
        padded = [[*values[:width], *[None] * (width - len(values))] for values in fields]
        columns = [pa.array([values[at] for values in padded], pa.string()) for at in range(width)]
        return pa.RecordBatch.from_arrays(columns, schema=schema)

    def place(self, batch: pa.RecordBatch, last: bool = False) -> pa.RecordBatch:
        """The batch with the malformed rows found so far that fall among its rows (all of them,
        for the file's last batch) inserted where the file had them."""
        if not self.pending:
            self.rows += batch.num_rows
            return batch
        parts, used, here, kept = [], 0, 0, []  # used: the batch's rows in parts; here: rows put
        for row in sorted(self.pending, key=lambda row: (row.position is None, row.position or 0)):
            upto = batch.num_rows if row.position is None else row.position - self.rows - here
            if upto > batch.num_rows and not last:
                kept.append(row)  # in a later batch
                continue
            upto = min(max(upto, used), batch.num_rows)
            parts += [batch.slice(used, upto - used), self.as_batch([row], batch.schema)]
            self.placed[self.rows + upto + here] = row
            used, here = upto, here + 1
        parts.append(batch.slice(used))
        self.pending, self.rows = kept, self.rows + batch.num_rows + here
        merged = pa.Table.from_batches(parts, schema=batch.schema).combine_chunks()
        return merged.to_batches()[0] if merged.num_rows else batch

    def take(self, offset: int, rows: int) -> dict[int, Malformed]:
        """The malformed rows of the chunk of `rows` rows after the input's first `offset`
        ones, by place in the chunk."""
        taken = [at for at in self.placed if offset <= at < offset + rows]
        return {at - offset: self.placed.pop(at) for at in sorted(taken)}
