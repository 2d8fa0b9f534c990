"""Payment status: a captured payment can be refunded once, in full; nothing else moves it."""

from __future__ import annotations

from enum import StrEnum

from services.billing.domain.errors import IllegalTransition


class PaymentStatus(StrEnum):
    SUCCEEDED = "succeeded"
    REFUNDED = "refunded"


class PaymentAction(StrEnum):
    REFUND = "refund"


TRANSITIONS: dict[tuple[PaymentStatus, PaymentAction], PaymentStatus] = {
    (PaymentStatus.SUCCEEDED, PaymentAction.REFUND): PaymentStatus.REFUNDED,
}


def fire(status: PaymentStatus, action: PaymentAction) -> PaymentStatus:
    target = TRANSITIONS.get((status, action))
    if target is None:
        allowed = [a.value for (s, a) in TRANSITIONS if s is status]
        raise IllegalTransition("payment", status.value, action.value, allowed)
    return target
