"""An attempt: its identifier and its own changes.

The attempt id is the provider's endToEndId (its idempotency key). It is generated and
committed before the provider is called, and every resend of the attempt uses it again, so the
provider sees one payment however often we ask. ``Attempt`` is behaviour only, typed by
``domain.state.AttemptState`` and inherited by the ORM row: the provider's answers, the
leases of status queries, resends and withdrawal move it by ``domain.outcomes``' tables.
"""

from __future__ import annotations

import re
import secrets
import string
from datetime import datetime

from services.payouts.domain.errors import InvalidEndToEndIdError
from services.payouts.domain.events import AttemptAnswered
from services.payouts.domain.model import AttemptStatus
from services.payouts.domain.outcomes import WITHDRAW, Observation, ObservationRules, Reading
from services.payouts.domain.state import AttemptState

END_TO_END_ID_LENGTH = 16  # the provider's limit: at most 16 alphanumerics
_ALPHABET = string.ascii_uppercase + string.digits
_PATTERN = re.compile(rf"^[A-Z0-9]{{{END_TO_END_ID_LENGTH}}}$")


def new_end_to_end_id() -> str:
    """16 uppercase alphanumerics from the OS CSPRNG (36**16 ~ 8e24: collisions are not a risk;
    the provider would answer one with a 409 anyway)."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(END_TO_END_ID_LENGTH))


def is_end_to_end_id(value: str) -> bool:
    return _PATTERN.fullmatch(value) is not None


def require_end_to_end_id(value: str) -> str:
    if not is_end_to_end_id(value):
        raise InvalidEndToEndIdError(value)
    return value


class Attempt:
    """An attempt's behaviour: its status moves by ``domain.outcomes``' tables."""

    def answer(self: AttemptState, to: AttemptStatus, reading: Reading, rules: ObservationRules,
               at: datetime) -> None:
        """The provider's answer moved the attempt to ``to``; when to look again follows."""
        self.status = to.value
        self.updated_at = at
        self.provider_reference = reading.provider_reference or self.provider_reference
        self.provider_status = reading.provider_status or self.provider_status
        self.status_reason = reading.reason
        if to in (AttemptStatus.SUBMITTED, AttemptStatus.UNKNOWN):
            self.lease_until = rules.next_check_at(at, self.checks)
        if to is AttemptStatus.UNSENT:
            # The dispatcher's backoff: a provider that is down is not asked again at once.
            self.lease_until = rules.next_check_at(at, self.sends)

    def progress(self: AttemptState, reading: Reading, at: datetime) -> list[AttemptAnswered]:
        """Still pending, but further along (a check mailed, delivered): worth showing."""
        if reading.observation is Observation.PENDING and reading.provider_status and \
                AttemptStatus(self.status) is AttemptStatus.SUBMITTED:
            self.provider_status = reading.provider_status
            self.updated_at = at
            return [AttemptAnswered(self)]
        return []

    def withdraw(self: AttemptState, at: datetime) -> AttemptAnswered:
        """An unsent attempt of a cancelled payout: never sent afterwards."""
        self.status = WITHDRAW[AttemptStatus(self.status)].value
        self.status_reason = "withdrawn before it reached the provider: the payout was cancelled"
        self.updated_at = at
        return AttemptAnswered(self)

    def lease(self: AttemptState, until: datetime, *, checked: bool) -> None:
        """Taken for a status query until ``until`` (counted when the query is made)."""
        self.lease_until = until
        if checked:
            self.checks += 1

    def resent(self: AttemptState) -> None:
        """Sent again, same id: the provider never received it."""
        self.sends += 1
