"""evaluate.slices queries checked without pandas when they are plain comparisons: pandas reads
every such query as a condition, and every query it refuses is left to it."""

from __future__ import annotations

import random

import pytest
from pandas.core.computation.ops import LOCAL_TAG
from pandas.core.computation.scope import DEFAULT_GLOBALS

from churn.slice_queries import PANDAS_NAMES, pandas_query_problem, plain_condition

NAMES = ["tenure_months", "device", "x1", "ä", "match", "type", "sum", "abs", "Timestamp", "list"]
NAMES += ["_", "__class__", f"{LOCAL_TAG}cutoff", "inf", "Inf", "nan", "where", "index", "self"]
LITERALS = ["3", "3.5", ".5", "1e400", "0x1F", "1_000", "9" * 40, "'mobile'", '"x"', "''", "'é'"]
LITERALS += ["u'x'", "'it''s'", "-3", "True", "None", "3j", "b'x'", "inf", "device"]
OPERATORS = ["<", "<=", ">", ">=", "==", "!=", "in", "is", "="]
JOINS = ["and", "or", "&", "|", "and not"]
REFUSED = [  # by pandas, as test_params lists, and where it reads otherwise than Python
    "tenure_months <",
    "tenure_months < 3 and (a if b else c)",
    "tenure_months < @cutoff",
    "tenure_months = 3",
    "(tenure_months <\n 3)",
    "tenure_months <\\\n3",
    f"{LOCAL_TAG}cutoff < 3",
    "inf < 3 and tenure_months < 2",
]


def queries(seed: int, count: int, plain_only: bool) -> list[str]:
    """Random conditions joined by and / or (and, unless plain_only, by &, |, 'and not'), their
    sides drawn from NAMES and LITERALS, with and without spaces and parentheses."""
    rng = random.Random(seed)
    operators = OPERATORS[:6] if plain_only else OPERATORS
    joins = JOINS[:2] if plain_only else JOINS
    found = []
    for _ in range(count):
        terms = []
        for _ in range(rng.randint(1, 3)):
            sides = [rng.choice(NAMES), rng.choice(LITERALS)]
            gap = rng.choice(["", " "])
            terms.append(f"{sides[0]}{gap}{rng.choice(operators)}{gap}{sides[1]}")
        query = terms[0]
        for term in terms[1:]:
            query = f"({query} {rng.choice(joins)} {term})"
        found.append(query)
    return found


@pytest.mark.parametrize("plain_only", [True, False])
def test_every_plain_condition_is_one_pandas_reads(plain_only):
    """The shortcut must refuse nothing less than pandas: each query it passes, pandas passes."""
    plain = [q for q in queries(50, 400, plain_only) if plain_condition(q)]
    assert len(plain) > 40  # the shortcut is taken
    assert [q for q in plain if pandas_query_problem(q)] == []


@pytest.mark.parametrize("query", REFUSED)
def test_queries_pandas_refuses_are_left_to_it(query):
    assert not plain_condition(query) and pandas_query_problem(query)


def test_pandas_names_are_every_name_pandas_gives_a_value():
    """Names pandas resolves itself rather than as columns: its scalar globals (True and False
    are literals to Python) and its local variables (a LOCAL_TAG prefix)."""
    scalars = {name for name, value in DEFAULT_GLOBALS.items() if not isinstance(value, type)}
    assert scalars - {"True", "False"} <= PANDAS_NAMES and LOCAL_TAG.startswith("_")
