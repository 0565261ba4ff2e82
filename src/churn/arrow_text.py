"""Parquet columns of bytes (Python bytes written by pandas) read as the UTF-8 text they hold,
as a CSV file's are, so that b'DE' is the category 'DE' and not an unknown one."""

from __future__ import annotations

import json

import pyarrow as pa

from churn.errors import ChurnError


def binary_as_text(table: pa.Table, path: str) -> pa.Table:
    """The table with its binary columns cast to text (and described so in its pandas metadata,
    which would turn them back into bytes); one that is not UTF-8 is refused, naming the file
    and the column."""
    cast = []
    for at, field in enumerate(table.schema):
        if pa.types.is_binary(field.type) or pa.types.is_large_binary(field.type):
            try:
                text = table.column(at).cast(pa.string())
            except pa.ArrowInvalid:
                raise ChurnError(
                    f"{path}: column {field.name!r} holds bytes that are not UTF-8 text"
                ) from None
            table = table.set_column(at, pa.field(field.name, pa.string()), text)
            cast.append(field.name)
    return as_text_in_metadata(table, cast) if cast else table


def as_text_in_metadata(table: pa.Table, names: list[str]) -> pa.Table:
    """The table with pandas metadata that describes the named columns as text."""
    pandas_meta = table.schema.pandas_metadata
    if not pandas_meta:
        return table
    for column in pandas_meta.get("columns", []):
        if column.get("field_name") in names:
            column.update(pandas_type="unicode", numpy_type="object")
    described = json.dumps(pandas_meta).encode()
    return table.replace_schema_metadata({**table.schema.metadata, b"pandas": described})
