"""Billing's named domain errors: subclasses of the platform's ``DomainError``, each with its
stable ``code`` (the problem type's slug) and ``kind``.
"""

from __future__ import annotations

# The base, its kinds and the table's refusal are the platform's; re-exported so the service's
# code names every error it raises from one module.
from shared.domain.errors import DomainError as DomainError
from shared.domain.errors import ErrorKind as ErrorKind
from shared.domain.errors import IllegalTransition as IllegalTransition
from shared.domain.errors import NotFound as NotFound


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
