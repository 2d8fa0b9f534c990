"""Rail rules a payout must meet before any money moves, and where a rejected payout may go.

Concourse sends the payee a registration email: it needs a real one. Zelle pays an enrolled
email or US mobile, 0.01 to 100,000 USD. A check is printed and mailed: payee name and a full US
address, at most 999,999.99 USD, memo at most 40 characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from services.payouts.domain.model import MailingAddress, Payee, PayoutDetails, Rail
from shared.payees import is_placeholder_email
from shared.rails import CHECK_MAX, ZELLE_MAX

SUPPORTED_RAILS = frozenset({Rail.CONCOURSE, Rail.ZELLE, Rail.CHECK})
MEMO_MAX = 40
_US_MOBILE = re.compile(r"^\+1[2-9]\d{9}$")
_STATE = re.compile(r"^[A-Z]{2}$")
_ZIP = re.compile(r"^\d{5}(-\d{4})?$")


def zelle_recipient(payee: Payee) -> str | None:
    """The email or US mobile a Zelle payment goes to: the token first (the payee chose it),
    then the email, then the mobile."""
    return payee.zelle_token or payee.email or payee.mobile


def is_zelle_token(value: str | None) -> bool:
    if value is None:
        return False
    if "@" in value:
        return not is_placeholder_email(value)
    return _US_MOBILE.fullmatch(value) is not None


def address_errors(address: MailingAddress | None) -> list[str]:
    if address is None:
        return ["a check needs the payee's mailing address"]
    errors = []
    if not address.line1.strip() or not address.city.strip():
        errors.append("a check's address needs a street line and a city")
    if not _STATE.fullmatch(address.state):
        errors.append("a check's address needs a two-letter US state")
    if not _ZIP.fullmatch(address.zip):
        errors.append("a check's address needs a US ZIP code")
    return errors


def _concourse(payout: PayoutDetails) -> list[str]:
    if is_placeholder_email(payout.payee.email):
        return ["Concourse needs the payee's real email address; it is missing or a "
                "placeholder"]
    return []


def _zelle(payout: PayoutDetails) -> list[str]:
    errors = []
    if not is_zelle_token(zelle_recipient(payout.payee)):
        errors.append("Zelle needs the payee's email or US mobile number (+1 and 10 digits)")
    if payout.amount.amount > ZELLE_MAX:
        errors.append(f"a Zelle payment is at most {ZELLE_MAX} USD")
    return errors


def _check(payout: PayoutDetails) -> list[str]:
    errors = []
    if not payout.payee.name.strip():
        errors.append("a check needs the payee's name")
    errors += address_errors(payout.payee.address)
    if payout.amount.amount > CHECK_MAX:
        errors.append(f"a check is at most {CHECK_MAX} USD")
    if payout.memo is not None and len(payout.memo) > MEMO_MAX:
        errors.append(f"a check memo is at most {MEMO_MAX} characters")
    return errors


_RULES = {Rail.CONCOURSE: _concourse, Rail.ZELLE: _zelle, Rail.CHECK: _check}


def validate_for_rail(payout: PayoutDetails, rail: Rail | None = None) -> list[str]:
    """Why the payout cannot be paid on ``rail`` (default: its own); empty when it can."""
    rail = rail or payout.rail
    if rail not in SUPPORTED_RAILS:
        return [f"rail {rail.value} is not available yet"]
    errors: list[str] = []
    if payout.amount.is_zero():
        errors.append("amount must be greater than zero")
    return errors + _RULES[rail](payout)


@dataclass(frozen=True, slots=True)
class FallbackRule:
    """``zelle:BE23>check``: a Zelle payment rejected with BE23 is paid by check instead."""

    source: Rail
    reason_code: str
    target: Rail

    @classmethod
    def parse(cls, text: str) -> FallbackRule:
        match = re.fullmatch(r"\s*(\w+):([A-Z0-9*]{1,8})>(\w+)\s*", text)
        if match is None:
            raise ValueError(f"fallback rule {text!r} is not '<rail>:<reason code>><rail>'")
        source, code, target = match.groups()
        if source == target:
            raise ValueError(f"fallback rule {text!r} falls back to the same rail")
        return cls(Rail(source), code, Rail(target))

    def applies(self, rail: Rail, reason_code: str | None) -> bool:
        return rail is self.source and (self.reason_code == "*" or reason_code == self.reason_code)


def fallback_rail(payout: PayoutDetails, reason_code: str | None,
                  rules: tuple[FallbackRule, ...]) -> Rail | None:
    """The rail to try next after a rejection, or None: the first matching rule whose target
    the payout can be paid on (a check needs the address to be known)."""
    for rule in rules:
        if rule.applies(payout.rail, reason_code) and not validate_for_rail(payout, rule.target):
            return rule.target
    return None

