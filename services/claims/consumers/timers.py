"""Timers of the claims worker."""

from __future__ import annotations

from services.claims.service.context import ServiceContext
from services.claims.service.work import expire_stale_jobs
from shared.clock import synced
from shared.loops import Loop, periodic

BATCH = 100


async def expire_due_jobs(app: ServiceContext) -> int:
    """One pass of the expiry timer: read the shared service clock (an operator may have moved
    it from the API process), then expire a batch at a time until none is left."""
    now = await synced(app.clock, app.sessions)
    expired = done = await expire_stale_jobs(app, now, BATCH)
    while done == BATCH:
        done = await expire_stale_jobs(app, now, BATCH)
        expired += done
    return expired


def job_expiry(app: ServiceContext, interval_s: float) -> Loop:
    """Expire New jobs not accepted within 24 h."""
    return periodic("job-expiry", lambda: expire_due_jobs(app), interval_s, batch=BATCH)
