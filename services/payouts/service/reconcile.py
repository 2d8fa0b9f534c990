"""Use case: reconcile our attempts with the provider ledger and report every mismatch."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from services.payouts.adapters.ledger import check_payee_id
from services.payouts.adapters.orm import AttemptRow, PayoutRow
from services.payouts.domain.model import Rail
from services.payouts.domain.reconciliation import LedgerItem, Mismatch, OurAttempt, reconcile
from services.payouts.domain.validation import zelle_recipient
from services.payouts.service.context import ServiceContext
from services.payouts.service.mapping import payee_from_json

log = logging.getLogger(__name__)

LedgerSource = Callable[[], Awaitable[list[LedgerItem]]]


@dataclass(frozen=True, slots=True)
class Report:
    checked_at: datetime
    attempts: int
    ledger_entries: int
    mismatches: list[Mismatch]


def our_payee_id(attempt: AttemptRow, payout: PayoutRow) -> str:
    """The identifier the attempt's rail paid (the payee JSON is the payout's current one)."""
    payee = payee_from_json(payout.payee)
    if attempt.rail == Rail.CHECK.value:
        return check_payee_id(payee.name, payee.address.zip if payee.address else None)
    if attempt.rail == Rail.ZELLE.value:
        return (zelle_recipient(payee) or "").casefold()
    return (payee.email or "").casefold()


async def run_reconciliation(app: ServiceContext, ledger: LedgerSource) -> Report:
    theirs = await ledger()
    async with app.uow() as uow:
        rows = await uow.payouts.all_attempts()
        ours = [
            OurAttempt(attempt_id=a.id, payout_id=str(p.id), rail=a.rail, amount=a.amount,
                       payee=our_payee_id(a, p), status=a.status)
            for a, p in rows
        ]
    mismatches = reconcile(ours, theirs)
    for mismatch in mismatches:
        log.error("reconciliation: %s %s: %s", mismatch.kind.value, mismatch.end_to_end_id,
                  mismatch.detail, extra={"payout_id": mismatch.payout_id})
    return Report(app.clock(), len(ours), len(theirs), mismatches)
