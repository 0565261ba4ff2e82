"""Whether an evaluate.slices value can be read as a condition on a frame's columns: pandas' own
parser judges it, but for plain comparisons, which need no pandas (its import takes longer than
the rest of `python -m churn.check_params`)."""

from __future__ import annotations

import ast
import tokenize
from typing import Any

# What pandas raises for a query it cannot read, whatever the data: its parser's errors
QUERY_ERRORS = (SyntaxError, tokenize.TokenError, NotImplementedError, ValueError)
PLAIN_OPERATORS = (ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Eq, ast.NotEq)
# Where pandas may read a query otherwise than Python: '&', '|' and '~' (with the precedence of
# and, or, not), '@' (a local variable), '`' (a quoted name), line continuations and comments
# (it reads each line as an expression); names it gives values of its own (inf, Inf; its local
# variables start with '_')
NOT_PLAIN = set("&|~@`\\#")
PANDAS_NAMES = {"inf", "Inf"}


class AnyColumn(dict):
    """A pandas eval resolver in which every name is an empty column (pandas stores its
    temporaries in it too), so that a query is read whole without the data."""

    def __contains__(self, key: object) -> bool:
        return True

    def __missing__(self, key: str) -> Any:
        import pandas as pd  # only checks of queries need it

        return pd.Series([], dtype=object, name=key)


def is_column(node: ast.expr) -> bool:
    """Whether a node is a name that pandas reads as a column."""
    return (
        isinstance(node, ast.Name) and not node.id.startswith("_") and node.id not in PANDAS_NAMES
    )


def is_plain(node: ast.expr) -> bool:
    """Whether an expression is comparisons of a column with a number or a text, one each
    (a < 3, 'x' == b), joined by and / or."""
    if isinstance(node, ast.BoolOp):
        return all(is_plain(value) for value in node.values)
    if not isinstance(node, ast.Compare) or not isinstance(node.ops[0], PLAIN_OPERATORS):
        return False
    sides = [node.left, *node.comparators]
    literals = [
        s for s in sides if isinstance(s, ast.Constant) and type(s.value) in (int, float, str)
    ]
    return len(sides) == 2 and len(literals) == 1 and any(map(is_column, sides))


def plain_condition(query: str) -> bool:
    """Whether a query is a condition pandas reads for certain (see is_plain): one line without
    any of NOT_PLAIN, which Python parses as comparisons."""
    if NOT_PLAIN & set(query) or query.splitlines() != [query]:
        return False
    try:
        return is_plain(ast.parse(query, mode="eval").body)
    except (SyntaxError, ValueError, RecursionError):
        return False


def query_problem(query: str) -> str | None:
    """Why pandas cannot read a query (a slice of evaluate.slices) as a condition on a frame's
    columns, as a phrase ("is empty: ..."), or None; what only the data can tell (a column's
    type) is left to the stage that has it."""
    if not query.strip():
        return "is empty: write a condition such as tenure_months < 3"
    return None if plain_condition(query) else pandas_query_problem(query)


def pandas_query_problem(query: str) -> str | None:
    """query_problem as pandas' parser answers it, on an empty frame where every name is a
    column."""
    import pandas as pd

    try:
        result = pd.DataFrame().eval(query, resolvers=(AnyColumn(),))
    except pd.errors.UndefinedVariableError:  # every name resolves but @local ones
        return "uses @, a Python variable evaluate has none of: write the value"
    except QUERY_ERRORS as error:
        why = error.args[0] if error.args else type(error).__name__
        return f"is not a valid pandas query ({why})"
    except Exception:  # e.g. .str on a column of numbers: the data's types decide
        return None
    return "is an assignment, not a condition" if isinstance(result, pd.DataFrame) else None
