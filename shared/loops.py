"""The platform's one periodic loop: every timer of every worker (and the clock follower) runs
on ``periodic``, so pausing, waking, stopping and surviving a failed pass work the same way
everywhere."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

log = logging.getLogger(__name__)

# A worker's background task: runs until the event is set.
Loop = Callable[[asyncio.Event], Coroutine[Any, Any, None]]


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
