"""Typed sections of a params file: a frozen dataclass per section, built from a mapping with
each value checked against its field's annotation, and errors that name the file and the key."""

from __future__ import annotations

import dataclasses
import difflib
import math
import types
import typing
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from churn.errors import ChurnError

PARAMS_FILE = Path("params.yaml")
T = TypeVar("T")


class ParamsValueError(ChurnError):
    """A params value the code cannot use; naming_params_file adds the file it came from."""


@contextmanager
def naming_params_file(path: Path | str) -> Iterator[None]:
    """Report a ParamsValueError raised inside as "PATH: message", PATH the params file read."""
    try:
        yield
    except ParamsValueError as error:
        raise ChurnError(f"{path}: {error}") from error


def require(ok: bool, key: str, wanted: str, value: object) -> None:
    """A ParamsValueError naming the key when a value is out of its range."""
    if not ok:
        raise ParamsValueError(f"key '{key}' should be {wanted}, got {value!r}")


def accepts(annotation: Any, value: Any) -> bool:
    """Whether value fits the annotation; ints count as floats, bools never as ints."""
    options = (
        typing.get_args(annotation) if isinstance(annotation, types.UnionType) else (annotation,)
    )
    for option in options:
        if option is float and isinstance(value, int | float) and not isinstance(value, bool):
            return True
        if option is int and isinstance(value, int) and not isinstance(value, bool):
            return True
        if option in (str, bool) and isinstance(value, option):
            return True
        if typing.get_origin(option) is dict and isinstance(value, dict):
            value_type = typing.get_args(option)[1]
            return all(isinstance(k, str) and accepts(value_type, v) for k, v in value.items())
        if typing.get_origin(option) is list and isinstance(value, list):
            return all(accepts(typing.get_args(option)[0], item) for item in value)
    return False


def is_finite(value: Any) -> bool:
    """False when value, or a number inside a list or mapping value, is infinite or NaN."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict | list):
        return all(map(is_finite, value.values() if isinstance(value, dict) else value))
    return True


def section_from_mapping(cls: type[T], name: str, raw: Any, source: Path = PARAMS_FILE) -> T:
    """Build one section dataclass, failing with a message that names the file and the key."""
    if not isinstance(raw, dict):
        raise ChurnError(f"{source}: section '{name}' is missing or not a mapping")
    hints = typing.get_type_hints(cls)
    known = [field.name for field in dataclasses.fields(cls)]  # type: ignore[arg-type]
    for key in raw:
        if key not in known:
            guess = difflib.get_close_matches(str(key), known, n=1)
            hint = f" (did you mean '{name}.{guess[0]}'?)" if guess else ""
            raise ChurnError(f"{source}: unknown key '{name}.{key}'{hint}")
    values = {}
    for field in dataclasses.fields(cls):  # type: ignore[arg-type]
        if field.name not in raw:
            raise ChurnError(f"{source}: missing key '{name}.{field.name}'")
        value = raw[field.name]
        if not accepts(hints[field.name], value):
            expected = getattr(hints[field.name], "__name__", str(hints[field.name]))
            raise ChurnError(
                f"{source}: key '{name}.{field.name}' should be {expected}, got {value!r}"
            )
        if not is_finite(value):
            raise ChurnError(
                f"{source}: key '{name}.{field.name}' should be a finite number, got {value!r}"
            )
        values[field.name] = float(value) if hints[field.name] is float else value
    with naming_params_file(source):
        return cls(**values)


def field_defaults(cls: type) -> dict[str, Any]:
    """The fields of a section dataclass that have a default, with it."""
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    return {f.name: f.default for f in fields if f.default is not dataclasses.MISSING}
