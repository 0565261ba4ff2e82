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
        if (kind := text_type(field.type)) is not None:
            try:
                text = table.column(at).cast(kind)
            except pa.ArrowInvalid:
                raise ChurnError(
                    f"{path}: column {field.name!r} holds bytes that are not UTF-8 text"
                ) from None
            table = table.set_column(at, pa.field(field.name, kind), text)
            if kind == pa.string():  # a category's metadata says categorical: it stays so
                cast.append(field.name)
    return as_text_in_metadata(table, cast) if cast else table


def text_type(kind: pa.DataType) -> pa.DataType | None:
    """The text type for a type of bytes (binary, or a category of them: a dictionary of
    binary values), else None."""
    if pa.types.is_dictionary(kind) and text_type(kind.value_type) is not None:
        return pa.dictionary(kind.index_type, pa.string(), kind.ordered)
    is_bytes = pa.types.is_binary(kind) or pa.types.is_large_binary(kind)
    return pa.string() if is_bytes or pa.types.is_fixed_size_binary(kind) else None


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
