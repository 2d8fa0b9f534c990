"""How a claim is paid: the rail, the payee and the payee details each rail needs.

- JP Morgan Concourse: to the customer, only with a valid (non-placeholder) email, and only once
  the customer accepted the Terms and Conditions.
- Check: mailed to a postal address (customer or service pro).
- Zelle: only to a BYOP service pro whose email or US mobile was given, at most $100,000.00.
A rail's per-payment maximum (``shared.rails``) is checked when the option is chosen, so the payee
picks another rail then rather than learning of it after approval.
A customer payee always confirms the payment terms themselves (the BYOP "accept terms to close
the claim" step, and Concourse's checkbox).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from services.claims.domain import terms
from services.claims.domain.errors import (
    AddressRequired,
    EmailRequired,
    PaymentLocked,
    PlaceholderEmail,
    RailLimitExceeded,
    RailNotAllowed,
    ServiceProInfoMissing,
    TermsNotAccepted,
)
from shared.money import Money
from shared.payees import is_placeholder_email
from shared.rails import exceeds_rail_maximum, rail_maximum

# The Terms and Conditions a customer accepts on the Claim Credit Disbursement screen.
CURRENT_TERMS_VERSION = terms.CURRENT.version


class PaymentRail(StrEnum):
    CONCOURSE = "concourse"
    CHECK = "check"
    ZELLE = "zelle"


class PayeeRole(StrEnum):
    CUSTOMER = "customer"
    SERVICE_PRO = "service_pro"


@dataclass(frozen=True)
class MailingAddress:
    line1: str
    city: str
    state: str
    zip: str
    line2: str | None = None


@dataclass(frozen=True)
class PaymentChoice:
    rail: PaymentRail
    payee: PayeeRole
    payee_name: str
    email: str | None
    mobile: str | None
    address: MailingAddress | None
    terms_accepted: bool
    zelle_token: str | None = None
    terms_version: str | None = None


def choose_payment(choice: PaymentChoice, *, byop: bool, payable: Money) -> PaymentChoice:
    """Validate ``choice`` against the rules of its rail and payee for a claim that pays
    ``payable``; returns it unchanged."""
    if choice.payee is PayeeRole.SERVICE_PRO and not byop:
        raise RailNotAllowed("only a BYOP reimbursement can be paid to a service pro")
    if choice.payee is PayeeRole.CUSTOMER and not choice.terms_accepted:
        raise TermsNotAccepted("the customer must accept the Terms and Conditions")
    if choice.terms_accepted:
        terms.ensure_acceptable(choice.terms_version or "")
    _RAIL_CHECKS[choice.rail](choice)
    ensure_within_rail_limit(choice.rail, payable)
    return choice


def ensure_within_rail_limit(rail: PaymentRail, payable: Money) -> None:
    """Refuse a rail that cannot carry the claim's amount in one payment."""
    if exceeds_rail_maximum(rail.value, payable.amount):
        raise RailLimitExceeded(
            f"{_RAIL_NAMES[rail]} pays at most {rail_maximum(rail.value)} USD per payment; "
            f"this claim pays {payable.amount}: choose another payment method"
        )


def ensure_changeable(payout_in_flight: bool) -> None:
    """Payment details are the payee's until a payout is requested; after that only a payout
    that is known not to have paid (failed, cancelled, returned) frees them again."""
    if payout_in_flight:
        raise PaymentLocked(
            "a payout was already requested on these details; they can change only after it "
            "failed, was cancelled or came back"
        )


def _concourse(choice: PaymentChoice) -> None:
    if choice.payee is not PayeeRole.CUSTOMER:
        raise RailNotAllowed("JP Morgan Concourse pays the customer only")
    if not choice.email:
        raise EmailRequired("JP Morgan Concourse needs the customer's email on file")
    if is_placeholder_email(choice.email):
        raise PlaceholderEmail(
            "JP Morgan Concourse needs a real email; a placeholder address does not count"
        )


def _check(choice: PaymentChoice) -> None:
    if choice.address is None:
        raise AddressRequired("a check is mailed: a postal address is required")


def _zelle(choice: PaymentChoice) -> None:
    if choice.payee is not PayeeRole.SERVICE_PRO:
        raise RailNotAllowed("Zelle is used to pay a BYOP service pro only")
    if not (choice.email or choice.mobile or choice.zelle_token):
        raise ServiceProInfoMissing(
            "Zelle needs the service pro's email, US mobile number or Zelle token"
        )


_RAIL_NAMES = {
    PaymentRail.CONCOURSE: "JP Morgan Concourse",
    PaymentRail.CHECK: "A check",
    PaymentRail.ZELLE: "Zelle",
}

_RAIL_CHECKS = {
    PaymentRail.CONCOURSE: _concourse,
    PaymentRail.CHECK: _check,
    PaymentRail.ZELLE: _zelle,
}
