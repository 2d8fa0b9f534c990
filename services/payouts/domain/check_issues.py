"""A check's issue record (its number, send date and stop payment) changes itself: a stop
payment is kept with its expiry, so that the checks loop renews it before it lapses and a
stopped check never becomes payable again."""

from __future__ import annotations

from datetime import date
from typing import Protocol


class CheckIssueState(Protocol):
    stop_id: str | None
    stop_expires_on: date | None


class IssuedCheck:
    """Behaviour only, inherited by the ORM row (see ``domain.state``)."""

    def stopped(self: CheckIssueState, stop_id: str, expires_on: date) -> None:
        """The bank placed stop payment ``stop_id``, until ``expires_on``."""
        _stop(self, stop_id, expires_on)

    def stop_renewed(self: CheckIssueState, expires_on: date) -> None:
        _stop(self, self.stop_id, expires_on)


def _stop(issue: CheckIssueState, stop_id: str | None, expires_on: date) -> None:
    # Not in the methods: mypy would take a mixin's assignment as the attribute's type
    # (``date``), which the row's ``date | None`` then contradicts.
    issue.stop_id, issue.stop_expires_on = stop_id, expires_on
