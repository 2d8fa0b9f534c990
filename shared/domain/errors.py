"""The base of every named domain error. Each has a stable ``code`` (the problem type's slug) and
a ``kind`` that says what sort of refusal it is; the API maps the kind to an HTTP status
(``shared.problems.install_domain_error_handler``), the domain knows no HTTP.
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
    DECLINED = "declined"  # a payment gateway refused the charge: nothing happened
    UNAVAILABLE = "unavailable"  # a provider did not answer: nothing happened, retry is safe


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
    """The transition table has no row for this action from this state."""

    code = "illegal-transition"
    title = "Action not allowed in the current status"

    def __init__(self, machine: str, state: str, action: str, allowed: Iterable[str]) -> None:
        choices = ", ".join(sorted(allowed)) or "none"
        super().__init__(
            f"{machine} in status '{state}' cannot '{action}' (allowed here: {choices})"
        )
        self.machine = machine
        self.state = state
        self.action = action
