"""The payouts repositories, one per aggregate, inside the unit of work's transaction: payouts
with their attempts and status history; the check rail's own records (the issuer's check numbers
and each check's issue: number, send date, stop payment); the payees paid before (a first
sighting and the last change of payment details); and the provider events applied so far (a
callback's event id is applied once).

Locking convention (it is what makes concurrent dispatchers, recovery and callbacks safe): a
transaction that changes a payout or its attempt first locks the payout row (``lock=True``),
then the attempt. Scans that hand out work use ``FOR UPDATE SKIP LOCKED`` so two workers never
take the same row.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import exists, func, select, text
from sqlalchemy.orm.attributes import set_committed_value

from services.payouts.adapters import statements as st
from services.payouts.adapters.orm import (
    AttemptRow,
    CheckIssueRow,
    PayeeRow,
    PayoutRow,
    PayoutStatusHistoryRow,
)
from services.payouts.adapters.search import SearchCriteria
from services.payouts.adapters.statements import FIRST_SIGHTING, RECORD_EVENT
from services.payouts.domain.approvals import PayeeHistory
from services.payouts.domain.events import PayoutTransitioned
from services.payouts.domain.model import (
    ACTIVE_ATTEMPT_STATUSES,
    FINAL_PAYOUT_STATUSES,
    AttemptStatus,
    PayoutStatus,
)
from services.payouts.domain.state import AttemptState, PayoutState
from shared.db.driver import fetch, fetch_one, run, transaction_driver
from shared.uow import Repository

_ACTIVE = [s.value for s in ACTIVE_ATTEMPT_STATUSES]
_PAYOUT_KEYS = tuple(st.PAYOUTS.c.keys())
_ATTEMPT_KEYS = tuple(st.ATTEMPTS.c.keys())


class PayoutRepository(Repository):
    async def insert_if_new(self, values: dict[str, Any]) -> PayoutRow | None:
        """Insert the payout in status ``received``, with that first history entry, unless its
        ``payout_key`` exists; the new row as stored, or None for a repeat.

        Two concurrent requests with one key serialise on the unique index: the second waits
        for the first to commit and then inserts nothing.
        """
        row = await fetch_one(self.session, st.INSERT_PAYOUT, values)
        return None if row is None else _payout(row)

    async def get(self, payout_id: uuid.UUID, *, lock: bool = False) -> PayoutRow | None:
        query = select(PayoutRow).where(PayoutRow.id == payout_id)
        if lock:
            # populate_existing: a row already in the session is refreshed with what we locked.
            query = query.with_for_update().execution_options(populate_existing=True)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def get_by_key(self, payout_key: str) -> PayoutRow | None:
        query = select(PayoutRow).where(PayoutRow.payout_key == payout_key)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def search(self, criteria: SearchCriteria) -> Sequence[PayoutRow]:
        """Newest first, ``limit`` rows after the cursor (keyset: created_at, then id)."""
        query = select(PayoutRow).order_by(PayoutRow.created_at.desc(), PayoutRow.id.desc())
        for condition in criteria.conditions():
            query = query.where(condition)
        return (await self.session.execute(query.limit(criteria.limit))).scalars().all()

    async def due_for_sla(self, now: datetime, limit: int) -> Sequence[PayoutRow]:
        """Unpaid payouts past their deadline whose breach was not announced, locked for us."""
        query = (
            select(PayoutRow)
            .where(PayoutRow.deadline_at <= now, PayoutRow.sla_breached_at.is_(None),
                   PayoutRow.status != PayoutStatus.PAID.value)
            .order_by(PayoutRow.deadline_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return (await self.session.execute(query)).scalars().all()

    async def at_risk(self, before: datetime, limit: int) -> Sequence[PayoutRow]:
        """Payouts with a deadline before ``before`` that are not final yet (breached ones too)."""
        open_statuses = [s.value for s in PayoutStatus if s not in FINAL_PAYOUT_STATUSES]
        query = (
            select(PayoutRow)
            .where(PayoutRow.deadline_at <= before, PayoutRow.status.in_(open_statuses))
            .order_by(PayoutRow.deadline_at)
            .limit(limit)
        )
        return (await self.session.execute(query)).scalars().all()

    async def all_attempts(self) -> Sequence[tuple[AttemptRow, PayoutRow]]:
        query = select(AttemptRow, PayoutRow).join(PayoutRow, AttemptRow.payout_id == PayoutRow.id)
        return [(a, p) for a, p in (await self.session.execute(query)).all()]

    async def record(self, move: PayoutTransitioned) -> None:
        """Write a transition of the (locked) payout: its row and its history entry, in one
        statement.

        Also written, as they are on the payout: the fields that change with a status (``rail``
        on a fall back, ``reissue_on_cancel``, ``approval_reasons``). With the (locked) attempt
        whose outcome caused the move, the history entry names it and its outcome is saved in
        the same statement (see ``save_attempt``).
        """
        payout = move.payout
        params = {
            "p_id": payout.id, "p_status": move.to.value,
            "p_reason": move.reason,  # a reason describes the current status only
            "p_now": move.at, "p_rail": payout.rail, "p_reissue": payout.reissue_on_cancel,
            "p_reasons": payout.approval_reasons, "h_from": move.before,
            "h_action": move.action.value, "h_actor": move.actor,
            "h_attempt": None if move.attempt is None else move.attempt.id,
        }
        if move.attempt is None:
            await run(self.session, st.RECORD_STATUS, params)
        else:
            await run(self.session, st.RECORD_OUTCOME, params | _outcome(move.attempt))
            _stored_outcome(move.attempt)
        _stored(payout, status=move.to.value, status_reason=move.reason, updated_at=move.at,
                rail=payout.rail, reissue_on_cancel=payout.reissue_on_cancel,
                approval_reasons=payout.approval_reasons)

    async def history(self, payout_id: uuid.UUID) -> Sequence[PayoutStatusHistoryRow]:
        query = (
            select(PayoutStatusHistoryRow)
            .where(PayoutStatusHistoryRow.payout_id == payout_id)
            .order_by(PayoutStatusHistoryRow.id)
        )
        return (await self.session.execute(query)).scalars().all()

    # Attempts

    async def lock_dispatchable(self, rails: Sequence[str], limit: int,
                                now: datetime) -> list[Dispatchable]:
        """Approved payouts on ``rails`` with no attempt that may exist at the provider and no
        unsent attempt still in its backoff, locked for us."""
        result = await self.session.execute(st.LOCK_DISPATCHABLE,
                                            {"rails": list(rails), "limit": limit, "now": now})
        return [Dispatchable(*row) for row in result]

    async def resend_attempts(self, attempt_ids: Sequence[str], *, lease_until: datetime,
                              now: datetime) -> set[str]:
        """Take unsent attempts back to ``sending`` (same id, one send more); their payouts
        must be locked by the caller. Returns the ids of those that were still unsent."""
        if not attempt_ids:
            return set()
        result = await self.session.execute(
            st.RESEND_ATTEMPTS, {"ids": list(attempt_ids), "lease_until": lease_until, "now": now})
        return {row[0] for row in result}

    async def create_attempts(self, attempts: Sequence[NewAttempt], *, lease_until: datetime,
                              now: datetime) -> set[str]:
        """One ``sending`` attempt per payout, each numbered after its payout's last, except
        for a payout that already has an active attempt; the payouts must be locked by the
        caller. Returns the ids of the attempts created."""
        created = await fetch(self.session, st.CREATE_ATTEMPTS, {
            "ids": [a.id for a in attempts], "payout_ids": [a.payout_id for a in attempts],
            "rails": [a.rail for a in attempts], "amounts": [a.amount for a in attempts],
            "status": AttemptStatus.SENDING.value, "lease_until": lease_until, "now": now,
        })
        return {row[0] for row in created}

    async def lock_pair(self, attempt_id: str) -> tuple[PayoutRow, AttemptRow] | None:
        """The attempt and its payout, both locked (payout first), in one round trip."""
        row = await fetch_one(self.session, st.LOCK_PAIR, {"attempt_id": attempt_id})
        if row is None:
            return None
        split = len(_PAYOUT_KEYS)
        return _payout(row[:split]), AttemptRow(**dict(zip(_ATTEMPT_KEYS, row[split:],
                                                           strict=True)))

    async def save_attempt(self, attempt: AttemptState) -> None:
        """Write the (locked) attempt's outcome fields as they are on ``attempt``: status,
        provider reference and status, reason, lease, updated_at."""
        await run(self.session, st.SAVE_ATTEMPT, _outcome(attempt))
        _stored_outcome(attempt)

    async def has_active_attempt(self, payout_id: uuid.UUID) -> bool:
        query = select(
            exists().where(AttemptRow.payout_id == payout_id, AttemptRow.status.in_(_ACTIVE))
        )
        return bool((await self.session.execute(query)).scalar_one())

    async def get_attempt(self, attempt_id: str, *, lock: bool = False) -> AttemptRow | None:
        query = select(AttemptRow).where(AttemptRow.id == attempt_id)
        if lock:
            query = query.with_for_update().execution_options(populate_existing=True)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def attempts(self, payout_id: uuid.UUID) -> Sequence[AttemptRow]:
        query = (
            select(AttemptRow).where(AttemptRow.payout_id == payout_id).order_by(AttemptRow.number)
        )
        return (await self.session.execute(query)).scalars().all()

    async def lock_due_attempts(self, now: datetime, limit: int) -> Sequence[AttemptRow]:
        """Unfinished attempts whose lease ran out, oldest first, locked for us."""
        query = (
            select(AttemptRow)
            .where(AttemptRow.status.in_(_ACTIVE), AttemptRow.lease_until <= now)
            .order_by(AttemptRow.lease_until)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return (await self.session.execute(query)).scalars().all()


@dataclass(frozen=True, slots=True)
class Dispatchable:
    """What sending needs of an approved payout."""

    id: uuid.UUID
    rail: str
    amount: Decimal
    payee: dict[str, Any]
    memo: str | None
    correlation_id: str
    unsent_attempt_id: str | None = None  # sent again under this id, never a new one


@dataclass(frozen=True, slots=True)
class NewAttempt:
    id: str  # the end-to-end id
    payout_id: uuid.UUID
    rail: str
    amount: Decimal


def _payout(values: Sequence[Any]) -> PayoutRow:
    """A payout read or returned by a Core statement, as a row object outside the session: it
    is written only by the repository's statements, never by a flush."""
    return PayoutRow(**dict(zip(_PAYOUT_KEYS, values, strict=True)))


def _outcome(attempt: AttemptState) -> dict[str, Any]:
    return {"a_id": attempt.id, "a_status": attempt.status,
            "a_reference": attempt.provider_reference, "a_said": attempt.provider_status,
            "a_reason": attempt.status_reason, "a_lease": attempt.lease_until,
            "a_now": attempt.updated_at}


def _stored_outcome(attempt: AttemptState) -> None:
    _stored(attempt, status=attempt.status, provider_reference=attempt.provider_reference,
            provider_status=attempt.provider_status, status_reason=attempt.status_reason,
            lease_until=attempt.lease_until, updated_at=attempt.updated_at)


def _stored(row: PayoutState | AttemptState, **values: Any) -> None:
    """Set what a statement just wrote on the row object without marking it changed: a row
    the session tracks (the operators' and recovery's paths) is then not written twice."""
    for key, value in values.items():
        set_committed_value(row, key, value)


_NEXT_NUMBER = text(
    "INSERT INTO check_numbers (account_number, last_number) VALUES (:account, :first) "
    "ON CONFLICT (account_number) DO UPDATE SET last_number = check_numbers.last_number + 1 "
    "RETURNING last_number")


class CheckRepository(Repository):
    async def next_number(self, account_number: str, first_number: int) -> int:
        """One atomic statement: concurrent dispatchers get distinct numbers, none is reused."""
        number = (await self.session.execute(_NEXT_NUMBER, {
            "account": account_number, "first": first_number,
        })).scalar_one()
        return int(number)

    async def issue_for(self, attempt_id: str, *, account_number: str, first_number: int,
                        send_date: date) -> CheckIssueRow:
        """The attempt's check number and send date: allocated once (committed with the
        attempt, before anything is printed), the same on every resend of the attempt."""
        row = await self.session.get(CheckIssueRow, attempt_id)
        if row is None:
            row = CheckIssueRow(attempt_id=attempt_id, account_number=account_number,
                                check_number=await self.next_number(account_number,
                                                                    first_number),
                                send_date=send_date)
            self.session.add(row)
            await self.session.flush()
        return row

    async def lock(self, attempt_id: str) -> CheckIssueRow | None:
        return await self.session.get(CheckIssueRow, attempt_id, with_for_update=True)

    async def by_number(self, account_number: str, check_number: int) -> CheckIssueRow | None:
        return (await self.session.execute(select(CheckIssueRow).where(
            CheckIssueRow.account_number == account_number,
            CheckIssueRow.check_number == check_number))).scalar_one_or_none()

    async def oldest_send_date(self, statuses: Sequence[AttemptStatus]) -> date | None:
        """The earliest send date of a check whose attempt is in ``statuses``."""
        oldest: date | None = (await self.session.execute(
            select(CheckIssueRow.send_date).join(
                AttemptRow, AttemptRow.id == CheckIssueRow.attempt_id)
            .where(AttemptRow.status.in_([s.value for s in statuses]))
            .order_by(CheckIssueRow.send_date).limit(1))).scalar_one_or_none()
        return oldest

    async def first_send_date(self, payout_id: uuid.UUID) -> date | None:
        """The send date of the payout's first check: its age bounds any reissue."""
        first: date | None = (await self.session.execute(
            select(func.min(CheckIssueRow.send_date))
            .join(AttemptRow, AttemptRow.id == CheckIssueRow.attempt_id)
            .where(AttemptRow.payout_id == payout_id))).scalar_one_or_none()
        return first

    async def unstopped_sent_by(self, cutoff: date, limit: int) -> list[str]:
        """The attempts of submitted checks sent on or before ``cutoff`` with no stop yet."""
        return list((await self.session.execute(
            select(CheckIssueRow.attempt_id).join(
                AttemptRow, AttemptRow.id == CheckIssueRow.attempt_id)
            .where(AttemptRow.status == AttemptStatus.SUBMITTED.value,
                   CheckIssueRow.send_date <= cutoff, CheckIssueRow.stop_id.is_(None))
            .limit(limit))).scalars())

    async def stops_expiring_by(self, horizon: date, limit: int) -> list[tuple[str, str]]:
        """(attempt id, stop id) of the stop payments that lapse on or before ``horizon``."""
        rows = (await self.session.execute(
            select(CheckIssueRow.attempt_id, CheckIssueRow.stop_id)
            .where(CheckIssueRow.stop_id.is_not(None),
                   CheckIssueRow.stop_expires_on <= horizon)
            .limit(limit))).all()
        return [(attempt_id, stop_id) for attempt_id, stop_id in rows if stop_id is not None]


class PayeeRepository(Repository):
    async def observe(self, identity: str, fingerprint: str, now: datetime) -> PayeeHistory:
        """What we knew before, then remember this sighting (inside the unit of work)."""
        driver = await transaction_driver(self.session)
        if await driver.fetchval(FIRST_SIGHTING, identity, fingerprint, now) is not None:
            return PayeeHistory(known=False)
        query = select(PayeeRow).where(PayeeRow.identity == identity).with_for_update()
        row = (await self.session.execute(query)).scalar_one()
        if row.details_hash != fingerprint:
            row.details_hash = fingerprint
            row.details_changed_at = now
        return PayeeHistory(known=True, details_changed_at=row.details_changed_at)


class ProviderEventRepository(Repository):
    async def first(self, *, rail: str, event_id: str, attempt_id: str, status: str) -> bool:
        """Record a callback's event id; False if it was already applied."""
        driver = await transaction_driver(self.session)
        return await driver.fetchval(RECORD_EVENT, rail, event_id, attempt_id, status) \
            is not None
