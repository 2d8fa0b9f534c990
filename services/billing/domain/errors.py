"""Named domain errors. Each has a stable ``code`` (the problem type's slug) and a ``kind`` that
says what sort of refusal it is; the API maps the kind to an HTTP status, the domain knows no HTTP.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import ClassVar


class ErrorKind(StrEnum):
    NOT_FOUND = "not_found"  # it does not exist, or the caller may not know it does
    CONFLICT = "conflict"  # not possible in the current state
    INVALID = "invalid"  # the request breaks a business rule whatever the state
    FORBIDDEN = "forbidden"  # possible, but not by this caller
    DECLINED = "declined"  # the gateway refused the charge: nothing happened
    UNAVAILABLE = "unavailable"  # the gateway did not answer: nothing happened, retry is safe


class DomainError(Exception):
    code: ClassVar[str] = "domain-error"
    title: ClassVar[str] = "Business rule violated"
    kind: ClassVar[ErrorKind] = ErrorKind.CONFLICT

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(DomainError):
    code = "not-found"
    title = "Not found"
    kind = ErrorKind.NOT_FOUND

    def __init__(self, what: str, ident: object) -> None:
        super().__init__(f"{what} {ident} does not exist")


class IllegalTransition(DomainError):
    code = "illegal-transition"
    title = "Action not allowed in the current status"

    def __init__(self, machine: str, state: str, action: str, allowed: Iterable[str]) -> None:
        choices = ", ".join(sorted(allowed)) or "none"
        super().__init__(
            f"{machine} in status '{state}' cannot '{action}' (allowed here: {choices})"
        )


class DuplicateAccount(DomainError):
    code = "duplicate-account"
    title = "Account already exists"


class DuplicateInvoiceNumber(DomainError):
    code = "duplicate-invoice-number"
    title = "Invoice number already used"


class InvalidInvoice(DomainError):
    code = "invalid-invoice"
    title = "Invoice is not valid"
    kind = ErrorKind.INVALID


class PortalAccessDenied(DomainError):
    """Only company contacts with portal access view and pay invoices (seed 002)."""

    code = "portal-access-denied"
    title = "Contact may not view or pay invoices"
    kind = ErrorKind.FORBIDDEN


class NothingToPay(DomainError):
    code = "nothing-to-pay"
    title = "No open invoice is payable online"
    kind = ErrorKind.INVALID


class PaymentExceedsBalance(DomainError):
    """As in the source product: a payment above the payable balance is refused, not held as
    credit on the account."""

    code = "payment-exceeds-balance"
    title = "Payment is above the payable balance"
    kind = ErrorKind.INVALID


class IdempotencyKeyReused(DomainError):
    code = "idempotency-key-reused"
    title = "Idempotency-Key already used for another request"
    kind = ErrorKind.INVALID


class PaymentDeclined(DomainError):
    code = "payment-declined"
    title = "Payment declined"
    kind = ErrorKind.DECLINED

    def __init__(self, reason: str) -> None:
        super().__init__(f"the payment method was declined: {reason}; nothing was charged or "
                         "applied")
        self.reason = reason


class GatewayUnavailable(DomainError):
    code = "gateway-unavailable"
    title = "Payment gateway unavailable"
    kind = ErrorKind.UNAVAILABLE

    def __init__(self, detail: str) -> None:
        super().__init__(f"{detail}; nothing was applied. Retry with the same Idempotency-Key: "
                         "the gateway charges at most once per key")


class InvalidPaymentMethod(DomainError):
    code = "invalid-payment-method"
    title = "Payment method not usable"
    kind = ErrorKind.INVALID
