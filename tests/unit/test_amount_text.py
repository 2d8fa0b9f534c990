"""The one wire format of an amount (``shared.money.Amount``): a JSON string of ASCII digits with
at most two decimals. Everything else is a validation error, never an exception that escapes as
a 500 (``"1e30"`` once made ``Decimal.quantize`` raise ``InvalidOperation``)."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from shared.money import AMOUNT_PATTERN, Amount, FeeAmount, MoneyError, parse_amount_text


class Body(BaseModel):
    amount: Amount


class FeeBody(BaseModel):
    fee: FeeAmount


valid_texts = st.from_regex(r"[0-9]{1,6}(\.[0-9]{1,2})?", fullmatch=True).filter(
    lambda text: Decimal(text) > 0)

REFUSED: list[Any] = [
    "1e30", "1E2", "9" * 29, "1" * 30 + ".00", "1000000.00", "0", "0.00", "-1.00", "+1.00",
    "1.001", " 1.00", "1.00 ", "1.00\n", "1_000.00", "\u0661\u0662\u0663", "\uff11\uff12\uff13",
    "12.3.4", ".5", "5.",
    "NaN", "Infinity", "", "0x10", "1,00", 125, 12.5, True, None, [], {},
]


@given(valid_texts)
def test_a_valid_string_round_trips_exactly(text: str) -> None:
    parsed = Body.model_validate_json(f'{{"amount": "{text}"}}').amount
    assert parsed == Decimal(text)
    assert Body(amount=parsed).model_dump(mode="json") == {"amount": f"{Decimal(text):.2f}"}
    assert parse_amount_text(f"{parsed:.2f}") == parsed


@pytest.mark.parametrize("bad", REFUSED)
def test_anything_else_is_a_validation_error(bad: Any) -> None:
    with pytest.raises(ValidationError):
        Body.model_validate({"amount": bad})


@given(st.text(max_size=40))
def test_arbitrary_text_is_parsed_or_refused_never_crashes(text: str) -> None:
    try:
        value = parse_amount_text(text)
    except MoneyError:
        assert not re.fullmatch(r"[0-9]{1,6}(\.[0-9]{1,2})?", text) or Decimal(text) == 0
    else:
        assert re.fullmatch(r"[0-9]{1,6}(\.[0-9]{1,2})?", text)
        assert value == Decimal(text)


@given(st.one_of(st.integers(), st.floats(allow_nan=False, allow_infinity=False)))
def test_json_numbers_are_refused(value: float) -> None:
    with pytest.raises(ValidationError):
        Body.model_validate_json(json.dumps({"amount": value}))


def test_the_documented_pattern_is_the_parser() -> None:
    assert Body.model_json_schema()["properties"]["amount"]["pattern"] == AMOUNT_PATTERN
    assert AMOUNT_PATTERN.isascii() and r"\d" not in AMOUNT_PATTERN


def test_a_fee_may_be_zero_but_is_as_strict() -> None:
    assert FeeBody(fee="0").fee == 0
    for bad in ("1e3", "-0", "0.001", 0):
        with pytest.raises(ValidationError):
            FeeBody.model_validate({"fee": bad})
