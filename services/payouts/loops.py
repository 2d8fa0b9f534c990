"""The worker's timers: dispatch approved payouts, recover and poll unfinished attempts,
announce missed deadlines."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from services.payouts.service.context import Deps
from services.payouts.service.dispatch import dispatch_once
from services.payouts.service.recovery import recover_once
from services.payouts.service.sla import sla_once
from shared.clock import adjustable, follow
from shared.worker import Loop

log = logging.getLogger(__name__)


def periodic(name: str, body: Callable[[], Awaitable[int]], interval_s: float, *,
             batch: int, wake: asyncio.Event | None = None) -> Loop:
    """Run ``body`` until stopped: right away again after a whole ``batch`` (more may be
    waiting), else after a pause that ``wake`` (when given) cuts short.

    A shorter pass took everything it could see, and whatever is committed after it began sets
    ``wake`` (cleared before the pass), so it is not run again at once for nothing: that second,
    empty pass was a transaction per payout when payouts arrive one at a time."""

    async def loop(stop: asyncio.Event) -> None:
        log.info("loop %s started", name)
        while not stop.is_set():
            if wake is not None:
                wake.clear()  # a wake during the pass below makes the next pause zero
            try:
                done = await body()
            except Exception:
                # Database away, a bug in one pass: log it and keep the loop alive.
                log.exception("loop %s pass failed", name)
                done = 0
            if done < batch:
                await _pause(stop, wake, interval_s)
        log.info("loop %s stopped", name)

    loop.__name__ = f"loop_{name}"
    return loop


async def _pause(stop: asyncio.Event, wake: asyncio.Event | None, interval_s: float) -> None:
    waits = [asyncio.ensure_future(stop.wait())]
    if wake is not None:
        waits.append(asyncio.ensure_future(wake.wait()))
    try:
        await asyncio.wait(waits, timeout=interval_s, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waits:
            waiter.cancel()


def payout_loops(deps: Deps) -> list[Loop]:
    settings = deps.settings
    batch = settings.dispatch_batch  # what each pass takes at most
    return [
        periodic("dispatcher", lambda: dispatch_once(deps), settings.dispatch_interval_s,
                 batch=batch, wake=deps.dispatch_wake),
        periodic("recovery", lambda: recover_once(deps), settings.recovery_interval_s,
                 batch=batch),
        periodic("sla", lambda: sla_once(deps), settings.sla_interval_s, batch=batch),
        # Follows the clock the API moves (never in production, where it does not move).
        *([follow(deps.clock, deps.sessionmaker)] if adjustable(settings) else []),
    ]
