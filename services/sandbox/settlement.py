"""Simulated settlement: after a delay the payee registers and is paid, then we call back.

Each payment gets a background task. Tasks are kept in a set (asyncio holds only weak references
to tasks, so an unreferenced one can vanish mid-flight) and cancelled on reset and shutdown, so a
callback of a payment from a previous test never reaches the next one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from .callbacks import CallbackSender, build_event
from .faults import FaultInjector
from .state import Clock, Payment
from .store import PaymentStore

log = logging.getLogger(__name__)


class Settler:
    def __init__(
        self,
        store: PaymentStore,
        faults: FaultInjector,
        sender: CallbackSender,
        clock: Clock,
        delay_s: float,
    ) -> None:
        self._store = store
        self._faults = faults
        self._sender = sender
        self._clock = clock
        self._delay_s = delay_s
        self._tasks: set[asyncio.Task[None]] = set()

    def schedule(self, end_to_end_id: str) -> None:
        """Settle the payment after the configured delay (unless settlement is on hold)."""
        self._spawn(self._settle_later(end_to_end_id), f"settle-{end_to_end_id}")

    async def release(self) -> list[Payment]:
        """Settle every PENDING payment now, held or not yet due, and send their callbacks."""
        completed = await self._store.complete_all_pending(self._clock.now())
        for payment in completed:
            self._notify_soon(payment)
        return completed

    async def cancel_all(self) -> None:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def idle(self) -> None:
        """Wait until no settlement or callback is in flight (tests use this to stop polling)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def _spawn(self, coro: Coroutine[Any, Any, None], name: str) -> None:
        task = asyncio.create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _settle_later(self, end_to_end_id: str) -> None:
        try:
            await asyncio.sleep(self._delay_s)
            if (await self._faults.get()).hold_settlement:
                # The payee's registration and payment both wait for POST /sandbox/release.
                log.info("settlement of %s held", end_to_end_id)
                return
            registered = await self._store.register(end_to_end_id, "ACH")
            payment = await self._store.complete(end_to_end_id, self._clock.now())
            changes = [p for p in (registered, payment) if p is not None]
            if payment is not None:
                log.info("payment %s completed (ACH)", end_to_end_id)
            self.notify_in_order(changes)
        except asyncio.CancelledError:
            raise
        except Exception:
            # A background task has nobody to raise to; log it or it is lost.
            log.exception("settlement of %s failed", end_to_end_id)

    def _notify_soon(self, payment: Payment) -> None:
        self.notify_in_order([payment])

    def notify_in_order(self, snapshots: list[Payment]) -> None:
        """Send the callbacks of these status changes: one task per payment, its events in the
        order they happened (unless the ``reorder_callbacks`` fault is on)."""
        by_payment: dict[str, list[Payment]] = {}
        for snapshot in snapshots:
            if snapshot.callback_url is not None:
                by_payment.setdefault(snapshot.end_to_end_id, []).append(snapshot)
        for end_to_end_id, events in by_payment.items():
            self._spawn(self._notify(events), f"cb-{end_to_end_id}")

    async def _notify(self, events: list[Payment]) -> None:
        try:
            faults = await self._faults.get()
            if faults.drop_callbacks:
                log.info("callback of %s dropped (fault)", events[0].end_to_end_id)
                return
            if faults.reorder_callbacks:
                events = list(reversed(events))
            for payment in events:
                assert payment.callback_url is not None
                body = build_event(payment, self._clock)
                if body is None:
                    continue  # nothing this provider announces
                # Sequential, not concurrent: like a provider that re-sends an event it thinks
                # was lost; the receiver must deduplicate by eventId either way.
                for _ in range(2 if faults.duplicate_callbacks else 1):
                    await self._sender.deliver(payment.callback_url, body)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("callback of %s failed", events[0].end_to_end_id)
