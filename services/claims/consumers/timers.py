"""Timers of the claims worker."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from services.claims.adapters.orm.base import utcnow
from services.claims.service.context import Claims
from services.claims.service.work import expire_stale_jobs
from shared.worker import Loop

log = logging.getLogger(__name__)
BATCH = 100


def job_expiry(app: Claims, interval_s: float) -> Loop:
    """Expire New jobs not accepted within 24 h, a batch at a time until none is left."""

    async def run(stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                while await expire_stale_jobs(app, utcnow(), BATCH) == BATCH:
                    pass
            except Exception:
                # The database may be away for a moment; the next tick tries again.
                log.exception("job expiry pass failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval_s)

    return run
