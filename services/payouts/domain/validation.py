"""Rail rules a payout must meet before any money moves, and the (future) approval rules."""

from __future__ import annotations

import re

from services.payouts.domain.model import Payout, Rail

SUPPORTED_RAILS = frozenset({Rail.CONCOURSE})

# Local parts that say "we have no email" rather than name a mailbox.
_PLACEHOLDER_LOCALS = frozenset(
    {
        "noemail", "no-email", "no_email", "no.email", "nomail", "none", "na", "n/a", "null",
        "unknown", "test", "fake", "dummy", "placeholder", "noreply", "no-reply", "donotreply",
        "do-not-reply", "invalid", "xxx",
    }
)
# Domains reserved for documentation (RFC 2606) or used as "no email" fillers.
_PLACEHOLDER_DOMAINS = frozenset(
    {
        "example.com", "example.org", "example.net", "example.edu", "noemail.com",
        "no-email.com", "noemail.net", "none.com", "nomail.com", "test.com", "invalid.com",
        "fake.com",
    }
)
_RESERVED_TLDS = (".example", ".test", ".invalid", ".localhost", ".local")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def is_placeholder_email(email: str | None) -> bool:
    """True for a missing, malformed or placeholder address (``noemail@...``, ``x@example.com``).

    Concourse sends the payee a registration email; a placeholder means the money would wait
    for a mailed-check fallback nobody asked for, so such payouts are refused up front.
    """
    if email is None or not _EMAIL.fullmatch(email.strip()):
        return True
    local, _, domain = email.strip().casefold().rpartition("@")
    local = local.split("+", 1)[0]
    return (
        local in _PLACEHOLDER_LOCALS
        or local.startswith(("noemail", "no-email", "no_email"))
        or domain in _PLACEHOLDER_DOMAINS
        or any(domain.endswith("." + placeholder) for placeholder in _PLACEHOLDER_DOMAINS)
        or domain.endswith(_RESERVED_TLDS)
    )


def validate_for_rail(payout: Payout) -> list[str]:
    """Why the payout cannot be paid on its rail; empty when it can."""
    if payout.rail not in SUPPORTED_RAILS:
        return [f"rail {payout.rail.value} is not available yet"]
    errors: list[str] = []
    if payout.amount.is_zero():
        errors.append("amount must be greater than zero")
    if payout.rail is Rail.CONCOURSE and is_placeholder_email(payout.payee.email):
        errors.append("Concourse needs the payee's real email address; it is missing or a "
                      "placeholder")
    return errors


def needs_approval(payout: Payout) -> list[str]:
    """Why a person must approve this payout before it is sent; empty: no rule applies.

    Approval rules (amount thresholds, payee changes, ...) arrive with the approvals issue; the
    claim was already approved by Support Services before the request was sent.
    """
    del payout
    return []
