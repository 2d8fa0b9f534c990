"""The check rail's own records: the issuer's check numbers and each check's issue (number,
send date, stop payment), inside the unit of work's transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import func, select, text

from services.payouts.adapters.orm import AttemptRow, CheckIssueRow
from services.payouts.domain.model import AttemptStatus
from shared.db.repository import Repository

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
