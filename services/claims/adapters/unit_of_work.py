"""The claims unit of work: the repositories a use case reaches the database through, and what
the entities' events become when it commits.

Every event is a row of the audit trail, all of them written in one statement; each transition
(but limit holds', see ``TIMELINE_ONLY``) is also a ``claims.state_changed`` in the outbox, and
each note a job note, so the timeline, the notes and the messages commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession

from services.claims.adapters.orm import IdempotencyKeyRow
from services.claims.adapters.orm.base import utcnow
from services.claims.adapters.repositories import (
    ByopRepository,
    ClaimRepository,
    ContractRepository,
    ExceptionRepository,
    HoldRepository,
    JobRepository,
    RequestRepository,
    TimelineRepository,
)
from services.claims.domain.errors import IdempotencyKeyReused
from services.claims.domain.events import (
    TIMELINE_ONLY,
    Noted,
    PayoutRequested,
    TimelineEntry,
    Transitioned,
)
from services.claims.domain.payout import payout_memo
from shared.domain.events import DomainEvent
from shared.idempotency import IdempotencyKeys, IdempotencyStore
from shared.messaging.contracts import (
    ClaimsStateChangedV1,
    MailingAddress,
    Payee,
    PayeeKind,
    PayoutSource,
    Rail,
    RequestPayoutV1,
)
from shared.uow import UnitOfWork

# Idempotency keys: ``shared.idempotency`` over this service's own row, refusing a reused key
# with its own error; opened as ``uow.keys``.
_REUSED = "this Idempotency-Key was used for a different request; use a new key"
KEYS = IdempotencyStore(IdempotencyKeyRow, partial(IdempotencyKeyReused, _REUSED), stamp=utcnow)


class ClaimsUnitOfWork(UnitOfWork):
    contracts: ContractRepository
    claims: ClaimRepository
    holds: HoldRepository
    requests: RequestRepository
    jobs: JobRepository
    exceptions: ExceptionRepository
    byop: ByopRepository
    timeline: TimelineRepository
    keys: IdempotencyKeys

    def bind(self, session: AsyncSession) -> None:
        self.contracts = ContractRepository(session)
        self.claims = ClaimRepository(session)
        self.holds = HoldRepository(session)
        self.requests = RequestRepository(session)
        self.jobs = JobRepository(session)
        self.exceptions = ExceptionRepository(session)
        self.byop = ByopRepository(session)
        self.timeline = TimelineRepository(session)
        self.keys = IdempotencyKeys(session, KEYS)

    async def publish(self, events: Sequence[DomainEvent]) -> None:
        entries: list[TimelineEntry] = []
        notes: list[Noted] = []
        for event in events:
            if type(event) is PayoutRequested:
                self.emit(request_payout(event))
                continue
            if not isinstance(event, TimelineEntry):
                raise TypeError(f"the claims unit of work does not publish {type(event).__name__}")
            entries.append(event)
            if type(event) is Transitioned:
                if event.entity not in TIMELINE_ONLY:
                    self._state_changed(event)
            elif type(event) is Noted:
                notes.append(event)
        if notes:
            self.timeline.add_notes(notes)
        await self.timeline.write(entries)

    def _state_changed(self, entry: Transitioned) -> None:
        reason = entry.detail.get("reason")
        self.emit(
            ClaimsStateChangedV1(
                entity=entry.entity, entity_id=entry.entity_id, action=entry.action,
                from_status=entry.from_status, to_status=entry.to_status, actor=entry.actor,
                reason=None if reason is None else str(reason), at=entry.at,
            ),
            correlation_id=self.correlation_id or str(entry.job_id or entry.entity_id),
        )


def request_payout(event: PayoutRequested) -> RequestPayoutV1:
    """The ``payouts.request_payout`` command of an approval: what is owed, to whom, on which
    rail, as the approved claim has it."""
    claim = event.claim
    assert claim.rail is not None and claim.payee_role is not None
    assert claim.payee_name is not None  # the approve guard requires a selected payment option
    address = None
    if claim.payee_address_line1 and claim.payee_address_city and claim.payee_address_state \
            and claim.payee_address_zip:
        address = MailingAddress(
            line1=claim.payee_address_line1, line2=claim.payee_address_line2,
            city=claim.payee_address_city, state=claim.payee_address_state,
            zip=claim.payee_address_zip,
        )
    return RequestPayoutV1(
        payout_key=event.payout_key,
        source=PayoutSource(
            claim_id=str(claim.id), service_job_id=str(claim.job_id),
            contract_id=str(claim.contract_id), kind=claim.kind.value,
        ),
        amount=claim.payable,
        rail=Rail(claim.rail.value),
        payee=Payee(
            kind=PayeeKind(claim.payee_role.value), name=claim.payee_name,
            email=claim.payee_email, mobile=claim.payee_mobile, address=address,
            zelle_token=claim.payee_zelle_token,
        ),
        memo=payout_memo(claim.id),
        requested_by=event.requested_by,
    )
