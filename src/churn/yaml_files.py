"""Reading YAML strictly: libyaml when available, YAML 1.2 booleans, no key given twice, errors
as one line."""

from __future__ import annotations

import re
import typing
from typing import Any

import yaml

# libyaml's parser when PyYAML was built with it: the same safe subset, about ten times faster.
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
BOOL_TAG = "tag:yaml.org,2002:bool"
# YAML 1.2's core schema, as DVC (ruamel) reads params.yaml: only true and false are booleans;
# YAML 1.1 (PyYAML) also reads yes/no/on/off/y/n so, and DVC writes "Yes" unquoted.
CORE_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
# Numbers as ruamel reads YAML 1.2, as DVC does: 1e-3 a float (PyYAML: text), 0042 the integer 42
# (PyYAML: octal 34), 1:30 text (PyYAML: sexagesimal 90).
INT_TAG, FLOAT_TAG = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
CORE_INT = re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?[0-9_]+|[-+]?0x[0-9a-fA-F_]+)$")
CORE_FLOAT = re.compile(
    r"^(?:[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+"
    r"|[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
LEADING_ZERO = re.compile(r"[-+]?0[0-9_]+")  # decimal in YAML 1.2, octal in YAML 1.1


CORE_RESOLVERS = {  # tag: (the first characters it applies to, YAML 1.2's pattern)
    BOOL_TAG: ("tTfF", CORE_BOOL),
    FLOAT_TAG: ("-+0123456789.", CORE_FLOAT),
    INT_TAG: ("-+0123456789", CORE_INT),  # tried before floats, as in ruamel: 1_000 an int
}


def core_resolvers(resolvers: dict[str, list], tags: tuple[str, ...]) -> dict[str, list]:
    """A copy of a loader's implicit resolvers (per first character) with the YAML 1.1 ones of
    tags replaced by YAML 1.2's (CORE_RESOLVERS); the loader's own table is left as it is."""
    table = {
        first: [(tag, pattern) for tag, pattern in entries if tag not in tags]
        for first, entries in resolvers.items()
    }
    for tag in tags:
        firsts, pattern = CORE_RESOLVERS[tag]
        for first in firsts:
            table.setdefault(first, []).insert(0, (tag, pattern))
    return table


class UniqueKeyLoader(YAML_LOADER):  # type: ignore[misc, valid-type]
    """The safe loader with YAML 1.2 booleans (yes, no, on, off, y, n are text), refusing a key
    given twice in one mapping (PyYAML would keep the last silently: a contract column or a param
    defined twice). Numbers as YAML 1.1 reads them: contracts are written by yaml.safe_dump,
    which leaves 09 and 1e3 unquoted as the text they are there."""

    yaml_implicit_resolvers = core_resolvers(YAML_LOADER.yaml_implicit_resolvers, (BOOL_TAG,))

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, typing.Hashable):
                continue  # the base class refuses it
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping", node.start_mark,
                    f"found the key {key!r} twice", key_node.start_mark,
                )  # fmt: skip
            seen.add(key)
        return super().construct_mapping(node, deep)

    def construct_yaml_int(self, node):
        """An integer, or a YAML error at its place when Python refuses to read one of more than
        sys.get_int_max_str_digits() digits (a ValueError: a traceback)."""
        try:
            return super().construct_yaml_int(node)
        except ValueError as error:
            raise yaml.constructor.ConstructorError(
                None, None, f"an integer too long to read ({len(node.value)} characters)",
                node.start_mark,
            ) from error  # fmt: skip


UniqueKeyLoader.add_constructor(INT_TAG, UniqueKeyLoader.construct_yaml_int)


class DvcLoader(UniqueKeyLoader):
    """UniqueKeyLoader reading numbers as YAML 1.2 too, as DVC reads params.yaml and dvc.yaml."""

    yaml_implicit_resolvers = core_resolvers(
        YAML_LOADER.yaml_implicit_resolvers, tuple(CORE_RESOLVERS)
    )

    def construct_yaml_int(self, node):
        if LEADING_ZERO.fullmatch(node.value):  # PyYAML would read it as octal
            return int(node.value.replace("_", ""), 10)
        return super().construct_yaml_int(node)


DvcLoader.add_constructor(INT_TAG, DvcLoader.construct_yaml_int)


def parse_yaml(text: str | bytes, as_dvc: bool = False) -> Any:
    """yaml.safe_load through libyaml when available, reading booleans as YAML 1.2 (and DVC) does:
    `positive_label: Yes` is the text "Yes"; a key repeated in a mapping is an error. as_dvc (a
    file DVC reads too): numbers as well, `1e-3` a float, `0042` 42, `1:30` text."""
    return yaml.load(text, Loader=DvcLoader if as_dvc else UniqueKeyLoader)


def yaml_problem(error: yaml.YAMLError) -> str:
    """A PyYAML error as one line: its kind, where (1-based line and column) and what, with
    where the construct it broke began ("while parsing a flow sequence from line 4 ...")."""
    text = type(error).__name__ + mark_text(getattr(error, "problem_mark", None), " at")
    problem, context = getattr(error, "problem", None), getattr(error, "context", None)
    if problem:
        text += f": {' '.join(str(problem).split())}"
    if context:
        where = mark_text(getattr(error, "context_mark", None), " from")
        text += f" ({' '.join(str(context).split())}{where})"
    if isinstance(error, yaml.reader.ReaderError):  # no marks: a character offset
        text += f" at character {error.position + 1}: {error.reason}"
    return text


def mark_text(mark: Any, word: str) -> str:
    """The 1-based line and column of a PyYAML mark after word; "" without a mark."""
    return f"{word} line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
