"""How the API reads one field's value before its type does (churn.field_values), unit by unit:
mutants of these rules survived the serving tests, which need a trained model."""

import math

import pytest
from pydantic_core import PydanticCustomError

from churn.field_values import (
    encodable,
    id_text,
    is_missing,
    json_number,
    missing_as_none,
    refuse_missing,
)


def test_text_with_a_lone_surrogate_is_refused_other_text_is_kept():
    assert encodable("Zürich 東京 🙂") == "Zürich 東京 🙂"
    with pytest.raises(PydanticCustomError, match="lone surrogates"):
        encodable("ab\ud800")
    with pytest.raises(PydanticCustomError):
        encodable("\udfff")


@pytest.mark.parametrize("value", [None, math.nan, "", "  ", "NA", "na", " N/A ", "null", "-", "?"])
def test_missing_values_read_as_none(value):
    assert missing_as_none(value) is None
    assert is_missing(value)
    with pytest.raises(PydanticCustomError, match="missing value"):
        refuse_missing(value)


@pytest.mark.parametrize("value", [0, 0.0, False, "0", "DE", " x ", math.inf, "nan value"])
def test_present_values_pass_unchanged(value):
    assert missing_as_none(value) is value
    assert not is_missing(value)
    assert refuse_missing(value) is value


def test_ids_read_as_batch_scoring_reads_them():
    assert id_text(12) == "12" and id_text(12.0) == "12" and id_text(12.5) == "12.5"
    assert id_text(math.nan) is None and id_text("NA") is None and id_text(" ") is None
    assert id_text(" C-7 ") == " C-7 "  # text echoed as sent
    assert id_text(True) is True  # left for the str type to refuse
    for infinite in (math.inf, -math.inf):
        with pytest.raises(PydanticCustomError, match="finite number"):
            id_text(infinite)


def test_json_numbers_pass_text_and_booleans_do_not():
    assert json_number(3) == 3 and json_number(2.5) == 2.5 and json_number(None) is None
    with pytest.raises(PydanticCustomError, match="not text"):
        json_number("1_000")
    for flag in (True, False):
        with pytest.raises(PydanticCustomError, match="not a boolean"):
            json_number(flag)
