"""Use case: announce every promised payout not paid by its deadline, once.

Zelle to a service pro is promised within 24 hours. A payout past its deadline and not paid is
marked breached, ``payouts.payout_sla_breached`` goes out (claims and operations act on it) and
the breach is counted; it stays listed under ``/v1/payouts/at-risk`` until it is final.
"""

from __future__ import annotations

import logging

from services.payouts.metrics import SLA_BREACHES
from services.payouts.service.context import ServiceContext

log = logging.getLogger(__name__)


async def sla_once(app: ServiceContext) -> int:
    """Mark one batch of breaches. Returns how many were announced."""
    async with app.uow() as uow:
        now = await uow.synced_now(app.clock)  # an operator may have moved it
        breached = await uow.payouts.due_for_sla(now, app.settings.dispatch_batch)
        for payout in breached:
            uow.record(*payout.breach_sla(now))
        rails = [payout.rail for payout in breached]

        def count() -> None:
            for rail in rails:
                SLA_BREACHES.labels(rail).inc()

        uow.after_commit(count)
        await uow.commit()
    for payout in breached:
        log.warning("payout missed its deadline (status %s)", payout.status,
                    extra={"payout_id": payout.id})
    return len(breached)
