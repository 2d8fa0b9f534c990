"""Payment status: a captured payment can be refunded once, in full; nothing else moves it."""

from __future__ import annotations

from enum import StrEnum

from shared.domain.machine import Rule, StateMachine


class PaymentStatus(StrEnum):
    SUCCEEDED = "succeeded"
    REFUNDED = "refunded"


class PaymentAction(StrEnum):
    REFUND = "refund"


# No guards: the refund's own rules (in full, captured) are checked by the use case.
PAYMENT_MACHINE: StateMachine[PaymentStatus, PaymentAction, None] = StateMachine("payment", [
    Rule(PaymentStatus.SUCCEEDED, PaymentAction.REFUND, PaymentStatus.REFUNDED),
])


def fire(status: PaymentStatus, action: PaymentAction) -> PaymentStatus:
    return PAYMENT_MACHINE.fire(status, action, None)
