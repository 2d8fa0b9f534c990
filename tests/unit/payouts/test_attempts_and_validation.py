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
from services.payouts.domain.model import MailingAddress, Payee, PayoutDetails, Rail
from services.payouts.domain.validation import (
    FallbackRule,
    fallback_rail,
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


def _payout(email: str | None, rail: Rail = Rail.CONCOURSE,
            amount: str = "125.00") -> PayoutDetails:
    return PayoutDetails(
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


ADDRESS = MailingAddress(line1="12 Elm St", city="Springfield", state="IL", zip="62701")


def _payee(**fields: object) -> Payee:
    values: dict[str, object] = {"kind": "service_pro", "name": "Pat Pro"}
    values.update(fields)
    return Payee(**values)  # type: ignore[arg-type]


def _on(rail: Rail, payee: Payee, amount: str = "125.00", memo: str | None = None) -> PayoutDetails:
    return PayoutDetails(payout_key="k", amount=Money(Decimal(amount)), rail=rail, payee=payee,
                  memo=memo)


@pytest.mark.parametrize("token", ["pat@fixit-pros.net", "+15555550123"])
def test_zelle_takes_an_email_or_us_mobile_up_to_100000(token: str) -> None:
    assert validate_for_rail(_on(Rail.ZELLE, _payee(zelle_token=token), "100000.00")) == []
    [error] = validate_for_rail(_on(Rail.ZELLE, _payee(zelle_token=token), "100000.01"))
    assert "at most 100000.00" in error


@pytest.mark.parametrize("payee", [_payee(), _payee(mobile="+4915112345678"),
                                   _payee(email="noemail@fixit.com"), _payee(mobile="5555550123")])
def test_zelle_refuses_a_payee_without_a_usable_token(payee: Payee) -> None:
    [error] = validate_for_rail(_on(Rail.ZELLE, payee))
    assert "email or US mobile" in error


def test_check_needs_name_full_us_address_amount_and_memo_limits() -> None:
    assert validate_for_rail(_on(Rail.CHECK, _payee(address=ADDRESS), "999999.99",
                                 memo="x" * 40)) == []
    assert validate_for_rail(_on(Rail.CHECK, _payee())) == [
        "a check needs the payee's mailing address"]
    bad = MailingAddress(line1="1 Rue", city="Paris", state="FR1", zip="75001-XX")
    errors = validate_for_rail(_on(Rail.CHECK, _payee(name=" ", address=bad), memo="x" * 41))
    assert len(errors) == 4


def test_fallback_rules_parse_and_need_the_target_rail_to_be_valid() -> None:
    rule = FallbackRule.parse("zelle:BE23>check")
    assert rule == FallbackRule(Rail.ZELLE, "BE23", Rail.CHECK)
    with_address = _on(Rail.ZELLE, _payee(email="pat@fixit-pros.net", address=ADDRESS))
    without = _on(Rail.ZELLE, _payee(email="pat@fixit-pros.net"))
    assert fallback_rail(with_address, "BE23", (rule,)) is Rail.CHECK
    assert fallback_rail(with_address, "AM04", (rule,)) is None
    assert fallback_rail(without, "BE23", (rule,)) is None  # no address: no check
    for bad in ("zelle>check", "zelle:BE23>zelle", "wire:BE23>check"):
        with pytest.raises(ValueError):
            FallbackRule.parse(bad)


def test_zero_amount_is_refused() -> None:
    assert validate_for_rail(_payout("jane.doe@gmail.com", amount="0.00")) == [
        "amount must be greater than zero"
    ]

