"""Typed sections of a params file: a frozen dataclass per section, built from a mapping with
each value checked against its field's annotation, and errors that name the file and the key."""

from __future__ import annotations

import dataclasses
import difflib
import math
import sys
import types
import typing
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, TypeVar

from churn.errors import ChurnError

PARAMS_FILE = Path("params.yaml")
T = TypeVar("T")
# while section_from_mapping builds a section: the range problems its checks found so far
COLLECTED: ContextVar[list[str] | None] = ContextVar("params_problems", default=None)


class ParamsValueError(ChurnError):
    """A params value the code cannot use; naming_params_file adds the file it came from."""


@contextmanager
def naming_params_file(path: Path | str) -> Iterator[None]:
    """Report a ParamsValueError raised inside as "PATH: message", PATH the params file read."""
    try:
        yield
    except ParamsValueError as error:
        raise ChurnError(f"{path}: {error}") from error


def report(message: str) -> None:
    """A params value the code cannot use: a ParamsValueError, or, while section_from_mapping
    builds a section, one more problem collected (so that every problem is named at once)."""
    collected = COLLECTED.get()
    if collected is None:
        raise ParamsValueError(message)
    collected.append(message)


def require(ok: bool, key: str, wanted: str, value: object) -> None:
    """Report a value out of its range, naming the key."""
    if not ok:
        report(f"key '{key}' should be {wanted}, got {value!r}")


@contextmanager
def collecting_problems() -> Iterator[list[str]]:
    """The problems report() finds inside, collected instead of raised."""
    problems: list[str] = []
    token = COLLECTED.set(problems)
    try:
        yield problems
    finally:
        COLLECTED.reset(token)


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
    """False when value, or a number inside a list or mapping value, is infinite or NaN, or a
    whole number beyond the floats' range (float() of it raised OverflowError: a traceback)."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return abs(value) <= sys.float_info.max
    if isinstance(value, dict | list):
        return all(map(is_finite, value.values() if isinstance(value, dict) else value))
    return True


def section_from_mapping(cls: type[T], name: str, raw: Any, source: Path = PARAMS_FILE) -> T:
    """Build one section dataclass; a ChurnError naming the file and every key that is unknown,
    missing, of the wrong type or out of range."""
    if not isinstance(raw, dict):
        raise ChurnError(f"{source}: section '{name}' is missing or not a mapping")
    problems = key_problems(cls, name, raw)
    if not problems:
        with collecting_problems() as problems:
            section = cls(**{key: typed(cls, key, raw[key]) for key in field_names(cls)})
    if problems:
        raise ChurnError(f"{source}: " + "; ".join(problems))
    return section


def field_names(cls: type) -> list[str]:
    return [field.name for field in dataclasses.fields(cls)]  # type: ignore[arg-type]


def typed(cls: type, key: str, value: Any) -> Any:
    """A value of the YAML as its field holds it (ints of float fields as floats)."""
    return float(value) if typing.get_type_hints(cls)[key] is float else value


def key_problems(cls: type, name: str, raw: dict) -> list[str]:
    """The unknown keys (with the near miss), the missing keys, and the values of the wrong
    type or not finite, one message each."""
    hints, known = typing.get_type_hints(cls), field_names(cls)
    problems, guessed = [], set()
    for key in raw:
        if key not in known:
            guess = difflib.get_close_matches(str(key), known, n=1)
            guessed.update(guess)
            hint = f" (did you mean '{name}.{guess[0]}'?)" if guess else ""
            problems.append(f"unknown key '{name}.{key}'{hint}")
    for key in known:
        if key not in raw:
            if key not in guessed:  # a misspelling's near miss is named already
                problems.append(f"missing key '{name}.{key}'")
        elif not accepts(hints[key], raw[key]):
            problems.append(type_problem(hints[key], f"{name}.{key}", raw[key]))
        elif not is_finite(raw[key]):
            problems.append(finite_problem(f"{name}.{key}", raw[key]))
    return problems


def finite_problem(key: str, value: Any) -> str:
    """A NaN or infinity, naming the key; in a mapping (gate.tolerances), the entry holding it."""
    if isinstance(value, dict):
        for entry, item in value.items():
            if not is_finite(item):
                return finite_problem(f"{key}.{entry}", item)
    return f"key '{key}' should be a finite number, got {value!r}"


def type_problem(annotation: Any, key: str, value: Any) -> str:
    """A value of the wrong type, naming the key; in a mapping (gate.tolerances), the first
    entry of the wrong type rather than the whole mapping."""
    if typing.get_origin(annotation) is dict and isinstance(value, dict):
        wanted = typing.get_args(annotation)[1]
        for entry, item in value.items():
            if not isinstance(entry, str) or not accepts(wanted, item):
                return type_problem(wanted, f"{key}.{entry}", item)
    expected = getattr(annotation, "__name__", str(annotation))
    # `id:` with nothing after it is YAML's null: say how to write an empty text
    empty = ' (an empty text is written "")' if value is None and annotation is str else ""
    return f"key '{key}' should be {expected}, got {value!r}{empty}"


def field_defaults(cls: type) -> dict[str, Any]:
    """The fields of a section dataclass that have a default, with it."""
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    return {f.name: f.default for f in fields if f.default is not dataclasses.MISSING}
