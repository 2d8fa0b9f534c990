import json
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from shared.money import MAX_AMOUNT, Amount, Money, MoneyError, json_number, parse_amount

cents = st.integers(min_value=0, max_value=99_999_999).map(lambda c: Money(Decimal(c) / 100))


class Body(BaseModel):
    amount: Amount


@pytest.mark.parametrize("bad", ["0", "-1.00", "1.001", "NaN", "Infinity", "abc", "1000000.00"])
def test_invalid_amounts_are_refused(bad: str) -> None:
    with pytest.raises(MoneyError):
        parse_amount(bad)


def test_float_is_refused_even_when_exact() -> None:
    with pytest.raises(MoneyError, match="float"):
        parse_amount(1.5)


def test_amount_field_serialises_as_two_place_string() -> None:
    assert Body(amount="125.5").model_dump(mode="json") == {"amount": "125.50"}
    with pytest.raises(ValidationError):
        Body(amount=12.5)


def test_upper_bound_is_the_largest_check() -> None:
    assert parse_amount("999999.99") == MAX_AMOUNT


@given(cents, cents)
def test_addition_then_subtraction_conserves(a: Money, b: Money) -> None:
    assume(a.amount + b.amount <= MAX_AMOUNT)
    total = a + b
    assert total - b == a
    assert total - a == b


@given(cents, cents)
def test_minus_floor_zero_never_negative_and_exact(a: Money, b: Money) -> None:
    result = a.minus_floor_zero(b)
    assert result.amount >= 0
    assert result.amount == max(a.amount - b.amount, Decimal("0"))


@given(cents)
def test_cents_round_trip(a: Money) -> None:
    assert Money(Decimal(a.cents()) / 100) == a


@given(st.integers(min_value=1, max_value=99_999_999))
def test_a_json_number_on_a_providers_wire_reads_back_as_the_exact_amount(cents: int) -> None:
    amount = Decimal(cents) / 100
    on_the_wire = json.dumps({"amount": json_number(amount)})
    read = json.loads(on_the_wire)["amount"]
    assert parse_amount(Decimal(str(read))) == amount
