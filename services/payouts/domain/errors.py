"""Payouts' named domain errors: subclasses of the platform's ``DomainError``, each with its
stable ``code`` (the problem type's slug), ``title`` and ``kind``.

Every refusal of a payout action, whether the table has no such row or a guard refuses it, is
the one problem type ``action-not-allowed``: integrators branch on that, the detail says why.
"""

from __future__ import annotations

from shared.domain.errors import DomainError as DomainError
from shared.domain.errors import ErrorKind as ErrorKind
from shared.domain.errors import IllegalTransition

_NOT_ALLOWED = "action-not-allowed"
_NOT_ALLOWED_TITLE = "Not allowed for this payout"


class IllegalTransitionError(IllegalTransition):
    """The payout table has no row for this action from this status."""

    code = _NOT_ALLOWED
    title = _NOT_ALLOWED_TITLE

    def __init__(self, current: str, action: str) -> None:
        # Payouts' own wording (the API's detail), not the platform's "allowed here" list.
        DomainError.__init__(self, f"a payout in status {current!s} cannot {action!s}")
        self.machine, self.state, self.action = "payout", current, action
        self.current = current


class TransitionRefusedError(DomainError):
    """A guard of the payout table refused: the row exists, its business rule does not hold."""

    code = _NOT_ALLOWED
    title = _NOT_ALLOWED_TITLE

    def __init__(self, current: str, action: str, reason: str) -> None:
        super().__init__(f"a payout in status {current!s} cannot {action!s}: {reason}")
        self.current = current
        self.action = action
        self.reason = reason


class PayoutInvalidError(TransitionRefusedError):
    def __init__(self, current: str, action: str, errors: tuple[str, ...]) -> None:
        super().__init__(current, action, "; ".join(errors))


class PayoutValidError(TransitionRefusedError):
    def __init__(self, current: str, action: str) -> None:
        super().__init__(current, action, "the payout passed validation")


class ApprovalNeededError(TransitionRefusedError):
    def __init__(self, current: str, action: str, reasons: tuple[str, ...]) -> None:
        super().__init__(current, action, "needs approval: " + "; ".join(reasons))


class NoApprovalRuleError(TransitionRefusedError):
    def __init__(self, current: str, action: str) -> None:
        super().__init__(current, action, "no approval rule applies")


class AttemptInFlightError(TransitionRefusedError):
    def __init__(self, current: str, action: str) -> None:
        super().__init__(current, action, "an attempt is in flight at the provider")


class ActionRefusedError(DomainError):
    """The rail or the payout's state does not allow it (409)."""

    code = _NOT_ALLOWED
    title = _NOT_ALLOWED_TITLE


class SelfApprovalError(DomainError):
    code = "self-approval"
    title = "Requester cannot approve"
    kind = ErrorKind.FORBIDDEN

    def __init__(self, who: str) -> None:
        super().__init__(f"{who} requested this payout and cannot also approve or reject it")
        self.who = who


class PayoutNotFoundError(DomainError):
    code = "payout-not-found"
    title = "Payout not found"
    kind = ErrorKind.NOT_FOUND

    def __init__(self, payout_id: object) -> None:
        super().__init__(f"no payout has id {payout_id}")


class InvalidEndToEndIdError(DomainError):
    code = "invalid-end-to-end-id"
    title = "End-to-end id not valid"
    kind = ErrorKind.INVALID

    def __init__(self, value: str) -> None:
        super().__init__(f"{value!r} is not 16 uppercase letters or digits")
        self.value = value


class IdempotencyKeyReusedError(DomainError):
    """The caller's Idempotency-Key already answered another request (operation or body)."""

    code = "idempotency-key-reused"
    title = "Idempotency key used for another request"
    kind = ErrorKind.INVALID
