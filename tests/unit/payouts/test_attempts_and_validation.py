"""End-to-end ids, the placeholder-email rule and rail validation."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from services.payouts.domain.attempts import (
    is_end_to_end_id,
    new_end_to_end_id,
    require_end_to_end_id,
)
from services.payouts.domain.errors import InvalidEndToEndIdError
from services.payouts.domain.model import Payee, Payout, Rail
from services.payouts.domain.validation import (
    needs_approval,
    validate_for_rail,
)
from shared.money import Money


def test_end_to_end_ids_are_16_uppercase_alphanumerics_and_unique() -> None:
    ids = [new_end_to_end_id() for _ in range(2000)]
    assert all(re.fullmatch(r"[A-Z0-9]{16}", value) for value in ids)
    assert len(set(ids)) == len(ids)
    assert all(is_end_to_end_id(value) for value in ids)


@pytest.mark.parametrize(
    "value",
    ["", "ABC", "ABCDEFGHIJKLMNOPQ", "abcdefghijklmnop", "ABCDEFGH-JKLMNOP", "ÄBCDEFGHIJKLMNOP"],
)
def test_malformed_end_to_end_ids_are_refused(value: str) -> None:
    assert not is_end_to_end_id(value)
    with pytest.raises(InvalidEndToEndIdError):
        require_end_to_end_id(value)


def _payout(email: str | None, rail: Rail = Rail.CONCOURSE, amount: str = "125.00") -> Payout:
    return Payout(
        payout_key="claim:1:claim_credit",
        amount=Money(Decimal(amount)),
        rail=rail,
        payee=Payee(kind="customer", name="Jane Doe", email=email),
    )


def test_concourse_needs_a_real_email() -> None:
    assert validate_for_rail(_payout("jane.doe@gmail.com")) == []
    errors = validate_for_rail(_payout("noemail@sears.com"))
    assert len(errors) == 1 and "placeholder" in errors[0]
    assert "noemail" not in errors[0]  # the reason never repeats the address


def test_rails_not_built_yet_are_refused_with_a_reason() -> None:
    assert validate_for_rail(_payout(None, Rail.CHECK)) == ["rail check is not available yet"]


def test_zero_amount_is_refused() -> None:
    assert validate_for_rail(_payout("jane.doe@gmail.com", amount="0.00")) == [
        "amount must be greater than zero"
    ]


def test_no_approval_rule_applies_yet() -> None:
    assert needs_approval(_payout("jane.doe@gmail.com", amount="999999.99")) == []
