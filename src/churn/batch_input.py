"""Reading a batch-scoring input: CSV or Parquet, chunk by chunk, as the file wrote it."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from itertools import chain
from typing import NamedTuple

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from churn.arrow_reads import ArrowReads
from churn.arrow_text import binary_as_text
from churn.csv_header import (
    FROM_PARAMS,
    SettingNames,
    check_delimiter,
    check_unique_names,
    file_delimiter,
    header_offset,
    is_blank_name,
)
from churn.data_params import DataParams
from churn.decimal_commas import decimal_commas_in
from churn.errors import ChurnError
from churn.file_systems import missing
from churn.malformed_rows import MalformedRows, parse_options
from churn.read_progress import estimated_rows
from churn.tables import COMPRESSION_ERRORS, compression_problem, is_csv, open_table

# CSV is read in blocks of 1 MiB in this thread (Arrow's threaded reader read up to 32 blocks
# ahead: memory grew with the block size); Arrow still reads ahead on its I/O thread (see
# ArrowReads). A row must fit in one block.
CSV_BLOCK_BYTES = 1 << 20
UNNAMED = re.compile(r"__index_level_\d+__")  # how pandas names an index without a name


def header_names(names: list[str], path: str) -> list[str]:
    """Column names as read: blank ones (trailing separators from spreadsheets) become
    'Unnamed: <position>' as pandas names them; a repeated name is refused."""
    named = [f"Unnamed: {at}" if is_blank_name(name) else name for at, name in enumerate(names)]
    check_unique_names(named, path)
    return named


def csv_names(handle, parse: pa_csv.ParseOptions) -> list[str]:
    """The header's names as Arrow reads them (a header wider than a block too), from where the
    handle is."""
    reads, reader = ArrowReads(handle), None
    options = pa_csv.ReadOptions(block_size=CSV_BLOCK_BYTES, use_threads=False)
    try:
        reader = pa_csv.open_csv(reads, read_options=options, parse_options=parse)
        return reader.schema.names
    finally:
        del reader
        reads.close()


def text_columns(named: list[str]) -> tuple[pa_csv.ReadOptions, pa_csv.ConvertOptions]:
    """Arrow's options to read the rows after the header, in blocks, every column as text."""
    text = {name: pa.string() for name in named}
    # Only empty cells are null: "NA", "null" ... stay text, so rejects show what the file said
    # (the contract reads them as missing values).
    options = pa_csv.ConvertOptions(column_types=text, strings_can_be_null=True, null_values=[""])
    block = pa_csv.ReadOptions(
        block_size=CSV_BLOCK_BYTES, column_names=named, skip_rows=1, use_threads=False
    )
    return block, options


def csv_batches(
    handle, path: str, data: DataParams, names: SettingNames, malformed: MalformedRows
) -> Iterator[pa.RecordBatch]:
    """Every column as text (types are the contract's job), read block by block; quoted values
    may hold line breaks; rows with too few or too many fields in their place, noted by
    `malformed` (see MalformedRows). Decimal commas in a comma-delimited file are refused,
    as ingest does. names: what set the delimiter and the decimal mark, for the hint when they
    do not fit."""
    sep = file_delimiter(handle, data.delimiter, path, data.decimal, names)
    start = handle.tell()  # the header line, after blank lines, as pandas reads the file
    header = csv_names(handle, parse_options(sep, lambda _: "skip"))
    check_delimiter(header, path, data.delimiter, names)
    named = header_names(header, path)
    handle.seek(start)
    block, options = text_columns(named)
    malformed.delimiter, malformed.names = sep, named
    parse = parse_options(sep, malformed)
    reads, reader = ArrowReads(handle), None
    try:
        reader = pa_csv.open_csv(
            reads, read_options=block, parse_options=parse, convert_options=options
        )
        for batch in reader:  # no generator expression: its frame, in a parse error's
            yield malformed.place(batch)  # traceback, would keep the reader (see ArrowReads)
        yield malformed.place(pa.RecordBatch.from_pylist([], schema=reader.schema), last=True)
    finally:
        del reader  # then wait for its read-ahead (see ArrowReads)
        reads.close()


def regroup(batches: Iterator[pa.RecordBatch], size: int) -> Iterator[pa.Table]:
    """The rows of the batches, in order, as tables of `size` rows (the last one may be shorter);
    batches without rows (a file's last, empty batch) yield one empty table when nothing else
    came, so that a file without rows still shows its columns."""
    pending: list[pa.RecordBatch] = []
    rows, empty, sent = 0, None, False
    for batch in batches:
        empty = batch.slice(0, 0)
        while batch.num_rows:
            part = batch.slice(0, size - rows)
            pending.append(part)
            rows += part.num_rows
            batch = batch.slice(part.num_rows)
            if rows == size:
                yield pa.Table.from_batches(pending)
                pending, rows, sent = [], 0, True
    if pending or (empty is not None and not sent):
        yield pa.Table.from_batches(pending or [empty])


def index_as_columns(schema: pa.Schema) -> dict[bytes, bytes] | None:
    """The schema's metadata with the columns pandas stored as its index (an id set as index)
    listed as plain columns, so they are read as the columns they are; None when there are none.
    A RangeIndex (metadata only) and an unnamed index (`__index_level_0__`: row labels left by a
    filter, not data) stay the index, as ingest drops them."""
    pandas_meta = schema.pandas_metadata or {}
    indexes = pandas_meta.get("index_columns", [])
    kept = [index for index in indexes if not isinstance(index, str) or UNNAMED.fullmatch(index)]
    if len(kept) == len(indexes):
        return None
    plain = json.dumps({**pandas_meta, "index_columns": kept})
    return {**schema.metadata, b"pandas": plain.encode()}


def as_frame(table: pa.Table, metadata: dict[bytes, bytes] | None, path: str) -> pd.DataFrame:
    """table.to_pandas(), with the file's index columns as columns (see index_as_columns) and
    its columns of bytes as text (see binary_as_text)."""
    table = table if metadata is None else table.replace_schema_metadata(metadata)
    return binary_as_text(table, path).to_pandas()


class Chunks(NamedTuple):
    """read_chunks' answer: the row count (a plain CSV's estimated: see estimated_rows), the
    chunks, and for CSV the rows with too few or too many fields (in the chunks, in their
    place: see MalformedRows.take)."""

    total: int | None
    frames: Iterator[pd.DataFrame]
    malformed: MalformedRows | None = None


def read_chunks(
    handle, path: str, chunk_size: int, data: DataParams, names: SettingNames = FROM_PARAMS
) -> Chunks:
    """Chunks of chunk_size rows as data frames (the last may be shorter), as the file wrote
    them: CSV in data's delimiter (names: what set it and the decimal mark), every column as
    text (see decimal_points)."""
    if not is_csv(path):
        parquet = pq.ParquetFile(handle)
        check_unique_names(parquet.schema_arrow.names, path)
        schema = parquet.schema_arrow
        empty = pa.RecordBatch.from_pylist([], schema=schema)  # see regroup
        batches = chain(parquet.iter_batches(batch_size=chunk_size), [empty])
        metadata = index_as_columns(parquet.schema_arrow)
        tables = regroup(batches, chunk_size)
        return Chunks(parquet.metadata.num_rows, (as_frame(t, metadata, path) for t in tables))
    total = estimated_rows(handle, path)
    batches = csv_batches(handle, path, data, names, malformed := MalformedRows())
    return Chunks(total, (t.to_pandas() for t in regroup(batches, chunk_size)), malformed)


def decimal_points(frame: pd.DataFrame, data: DataParams, numeric: Sequence[str]) -> pd.DataFrame:
    """With data.decimal ",", the numeric columns' decimal-comma numbers as plain number text,
    as ingest reads them (the rejects file keeps what the file wrote)."""
    return decimal_commas_in(frame, numeric) if data.decimal == "," else frame


def has_rows(path: str) -> bool:
    """Whether a CSV or Parquet file holds at least one row (a CSV line after the header that is
    not blank; blank lines before it are no header); a file that cannot be read is a ChurnError
    naming it."""
    try:
        with open_table(path) as handle:
            if is_csv(path):
                handle.seek(header_offset(handle, path))  # after blank lines
                if not handle.readline().strip():  # the header, however long
                    raise ChurnError(f"{path}: cannot be read (Empty CSV file)")  # as Arrow says
                return any(line.strip() for line in handle)
            return pq.ParquetFile(handle).metadata.num_rows > 0
    except FileNotFoundError:
        raise ChurnError(f"{path}: {missing(path)}") from None
    except COMPRESSION_ERRORS as error:
        raise ChurnError(f"{path}: cannot be read ({compression_problem(error)})") from None
    except (pa.ArrowInvalid, OSError) as error:
        raise ChurnError(f"{path}: cannot be read ({str(error).splitlines()[0]})") from None
