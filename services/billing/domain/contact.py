"""Who may use the customer portal for an account (seed 002: company contacts only)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from services.billing.domain.errors import PortalAccessDenied


class ContactKind(StrEnum):
    COMPANY = "company"  # the customer company's own people (accounts payable, owners)
    SITE = "site"  # people at a serviced location: they let the pro in, they do not pay


@dataclass(frozen=True)
class ContactFacts:
    kind: ContactKind
    portal_access: bool
    active: bool = True


def ensure_may_pay(contact: ContactFacts) -> None:
    """Viewing invoices and paying them are one permission: a company contact with access."""
    if not contact.active:
        raise PortalAccessDenied("this contact is no longer active on the account")
    if contact.kind is not ContactKind.COMPANY:
        raise PortalAccessDenied(
            "site contacts cannot view or pay invoices; a company contact with portal access "
            "can"
        )
    if not contact.portal_access:
        raise PortalAccessDenied("this company contact has no customer portal access")
