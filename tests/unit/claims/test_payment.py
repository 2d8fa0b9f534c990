"""Payment options: which rail for which payee, and what each rail needs."""

from __future__ import annotations

from dataclasses import replace

import pytest

from services.claims.domain.errors import (
    AddressRequired,
    EmailRequired,
    PlaceholderEmail,
    RailLimitExceeded,
    RailNotAllowed,
    ServiceProInfoMissing,
    TermsNotAccepted,
    UnknownTermsVersion,
)
from services.claims.domain.payment import (
    MailingAddress,
    PayeeRole,
    PaymentChoice,
    PaymentRail,
    choose_payment,
)
from shared.money import Money

PAYABLE = Money.of("650.00")
HOME = MailingAddress("12 Elm St", "Austin", "TX", "78701")
CONCOURSE = PaymentChoice(
    rail=PaymentRail.CONCOURSE, payee=PayeeRole.CUSTOMER, payee_name="Jane Doe",
    email="jane.doe@homemail.net", mobile=None, address=None, terms_accepted=True,
    terms_version="2026-01",
)
ZELLE_TO_PRO = PaymentChoice(
    rail=PaymentRail.ZELLE, payee=PayeeRole.SERVICE_PRO, payee_name="Acme Plumbing",
    email=None, mobile="+15125550123", address=None, terms_accepted=False,
)


def test_concourse_to_a_customer_with_a_real_email_and_terms_is_accepted() -> None:
    assert choose_payment(CONCOURSE, byop=False, payable=PAYABLE) == CONCOURSE


@pytest.mark.parametrize(
    ("choice", "error"),
    [
        (replace(CONCOURSE, email="noemail@cinch.com"), PlaceholderEmail),
        (replace(CONCOURSE, email=None), EmailRequired),
        (replace(CONCOURSE, terms_accepted=False), TermsNotAccepted),
        (replace(CONCOURSE, terms_version="2099-01"), UnknownTermsVersion),
        (replace(CONCOURSE, payee=PayeeRole.SERVICE_PRO), RailNotAllowed),
        (replace(CONCOURSE, rail=PaymentRail.CHECK), AddressRequired),
        (replace(CONCOURSE, rail=PaymentRail.ZELLE), RailNotAllowed),
    ],
)
def test_customer_payment_rules(choice: PaymentChoice, error: type[Exception]) -> None:
    with pytest.raises(error):
        choose_payment(choice, byop=True, payable=PAYABLE)


def test_a_check_goes_to_the_address() -> None:
    check = replace(CONCOURSE, rail=PaymentRail.CHECK, email=None, address=HOME)
    assert choose_payment(check, byop=False, payable=PAYABLE).address == HOME


def test_zelle_pays_a_byop_pro_with_contact_details() -> None:
    assert choose_payment(ZELLE_TO_PRO, byop=True, payable=PAYABLE) == ZELLE_TO_PRO
    with pytest.raises(ServiceProInfoMissing):
        choose_payment(replace(ZELLE_TO_PRO, mobile=None), byop=True, payable=PAYABLE)


def test_only_byop_claims_pay_a_service_pro() -> None:
    with pytest.raises(RailNotAllowed, match="BYOP"):
        choose_payment(ZELLE_TO_PRO, byop=False, payable=PAYABLE)


@pytest.mark.parametrize(
    ("payable", "allowed"),
    [("100000.00", True), ("100000.01", False), ("250000.00", False)],
)
def test_zelle_carries_at_most_100000_and_says_so_when_chosen(payable: str, allowed: bool) -> None:
    if allowed:
        assert choose_payment(ZELLE_TO_PRO, byop=True, payable=Money.of(payable))
        return
    with pytest.raises(RailLimitExceeded, match=r"at most 100000\.00 USD"):
        choose_payment(ZELLE_TO_PRO, byop=True, payable=Money.of(payable))


def test_a_check_carries_what_zelle_cannot() -> None:
    check = replace(ZELLE_TO_PRO, rail=PaymentRail.CHECK, address=HOME)
    assert choose_payment(check, byop=True, payable=Money.of("250000.00")) == check
