"""Time in the sandbox: payments whose life takes days (checks, unclaimed Concourse payments,
Zelle) carry the steps still to come; a ticker applies the due ones on the sandbox clock and
sends their callbacks. Tests jump days ahead with ``POST /sandbox/clock/advance``, which ticks at
once, so a 14-day stale check takes milliseconds.

The plans below are the providers' behaviour in one place.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime, timedelta

from .payees import CheckBehaviour, PayeeBehaviour
from .settings import SandboxSettings
from .settlement import Settler
from .state import Clock, PaymentStatus, Step
from .store import PaymentStore, Screen

log = logging.getLogger(__name__)
_UNKNOWN = object()

S = PaymentStatus
DAY = timedelta(days=1)


def check_plan(created: datetime, behaviour: PayeeBehaviour, settings: SandboxSettings,
               send_date: datetime | None = None) -> list[Step]:
    """Print and mail: mailed on the send date (Lob's ``send_date``, else after the configured
    days), in transit, delivered; then cashed (the bank pays it), or returned to sender. A
    check never cashed stays delivered: stopping it is the issuer's decision, not the bank's.
    """
    mailed = max(send_date, created) if send_date is not None \
        else created + settings.check_mail_after_days * DAY
    steps = [Step(mailed, S.MAILED), Step(mailed + DAY, S.IN_TRANSIT)]
    if behaviour.check is CheckBehaviour.RETURN_TO_SENDER:
        steps.append(Step(mailed + settings.check_delivery_days * DAY, S.RETURNED_TO_SENDER,
                          "returned to sender: undeliverable as addressed", reason_code="RTS1"))
        return steps
    delivered = mailed + settings.check_delivery_days * DAY
    steps.append(Step(delivered, S.DELIVERED))
    if behaviour.check is CheckBehaviour.CASH:
        steps.append(Step(delivered + settings.check_cash_after_days * DAY, S.CASHED,
                          method="CHECK"))
    return steps


def unclaimed_concourse_plan(invited: datetime, settings: SandboxSettings) -> list[Step]:
    """The payee never registers: the invitation expires after the configured days (sandbox
    clock), NOAS; the payer's fallback (a check) is the payer's, not the bank's."""
    days = settings.concourse_unclaimed_days
    return [Step(invited + days * DAY, S.INVITATION_EXPIRED,
                 f"invitation unclaimed after {days} days", reason_code="NOAS")]


def bounced_concourse_plan(invited: datetime, settings: SandboxSettings) -> list[Step]:
    """The invitation email bounces (nobody at that address): BE23, after the settle delay."""
    return [Step(invited + timedelta(milliseconds=settings.settle_delay_ms),
                 S.INVITATION_BOUNCED, "invitation email bounced", reason_code="BE23")]


class Ticker:
    """Applies due steps. It remembers when the next step is due (one sandbox process per
    database, so no other process adds steps behind its back): a tick before then, or a status
    query that ticks, reads nothing from the database, and the loop sleeps until the step is
    due or a new plan wakes it, at least ``interval_s`` and at most ``IDLE_S`` apart."""

    IDLE_S = 1.0

    def __init__(self, store: PaymentStore, settler: Settler, clock: Clock,
                 interval_s: float, screen: Screen | None = None) -> None:
        self._store = store
        self._screen = screen  # the bank's positive pay, at a check's presentment
        self._settler = settler
        self._clock = clock
        self._interval_s = interval_s
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        self._wake = asyncio.Event()
        # When the next step is due (None: nothing planned), once read from the store; and the
        # earliest step planned while it was being read.
        self._known = False
        self._next_due: datetime | None = None
        self._planned_meanwhile: datetime | None = None

    def planned(self, first: datetime) -> None:
        """Steps were planned, the first at ``first``: tick by then."""
        if self._known:
            self._next_due = _earliest(self._next_due, first)
        else:
            self._planned_meanwhile = _earliest(self._planned_meanwhile, first)
        self._wake.set()

    def forget(self) -> None:
        """The store changed underneath (a reset): read the next due step again."""
        self._known = False
        self._wake.set()

    def ensure_started(self) -> None:
        """Start ticking (lazily: under ``httpx.ASGITransport`` no lifespan runs)."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="sandbox-ticker")

    async def tick(self) -> int:
        """Apply the due steps now; callbacks go out in each payment's order."""
        now = self._clock.now()
        if self._known and (self._next_due is None or self._next_due > now):
            return 0  # nothing due: no need to ask the database
        async with self._lock:  # two ticks at once could send one payment's steps unordered
            self._known, self._planned_meanwhile = False, None
            changed = await self._store.take_due_steps(now, self._screen)
            due = _earliest(await self._store.next_due(), self._planned_meanwhile)
            self._next_due, self._known = due, True
        self._settler.notify_in_order(changed)
        for payment in changed:
            log.info("payment %s (%s) is %s", payment.end_to_end_id, payment.rail.value,
                     payment.status.value)
        return len(changed)

    def _pause_s(self) -> float:
        if not self._known:
            return self._interval_s
        if self._next_due is None:
            return self.IDLE_S
        ahead = (self._next_due - self._clock.now()).total_seconds()
        return min(max(ahead, self._interval_s), self.IDLE_S)

    async def _run(self) -> None:
        while True:
            self._wake.clear()  # a plan made during the tick below cuts the pause short
            try:
                await self.tick()
            except Exception:
                log.exception("tick failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._pause_s())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None


def _earliest(a: datetime | None, b: datetime | None) -> datetime | None:
    return b if a is None else a if b is None else min(a, b)
