"""Named domain errors: each says what was refused and why."""

from __future__ import annotations


class PayoutDomainError(Exception):
    """Base of every rule the payouts domain refuses."""


class IllegalTransitionError(PayoutDomainError):
    def __init__(self, current: str, action: str) -> None:
        super().__init__(f"a payout in status {current!s} cannot {action!s}")
        self.current = current
        self.action = action


class TransitionRefusedError(PayoutDomainError):
    def __init__(self, current: str, action: str, reason: str) -> None:
        super().__init__(f"a payout in status {current!s} cannot {action!s}: {reason}")
        self.current = current
        self.action = action
        self.reason = reason


class InvalidEndToEndIdError(PayoutDomainError):
    def __init__(self, value: str) -> None:
        super().__init__(f"{value!r} is not 16 uppercase letters or digits")
        self.value = value


class IdempotencyKeyReusedError(PayoutDomainError):
    """The caller's Idempotency-Key already answered another request (operation or body)."""
