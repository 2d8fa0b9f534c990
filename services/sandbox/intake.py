"""What every rail does with a new payment request, in one place: injected faults first, then
plan its life and record it with that plan once per end-to-end id (a repeat is a status query,
a conflicting repeat a 409), then start it, then answer (late, if the timeout-after-success
fault is on). The plan is in the same row as the payment: a sandbox killed right after
recording resumes the payment's life, it never forgets it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace

from fastapi import Response

from shared.logging import mask_email, mask_tail

from . import errors
from .faults import CreateFault
from .runtime import Sandbox
from .state import DuplicateEndToEndIdError, Payment, Rail, Step

log = logging.getLogger(__name__)

# The steps a new payment will go through (none: a Concourse payee who registers on a timer).
Plan = Callable[[Payment], Awaitable[list[Step]]]


async def take_fault(sandbox: Sandbox) -> None:
    fault = await sandbox.faults.take_create_fault()
    if fault is CreateFault.UNAVAILABLE:
        raise errors.provider_unavailable()
    if fault is CreateFault.RATE_LIMITED:
        raise errors.rate_limited()


async def intake(sandbox: Sandbox, candidate: Payment, response: Response | None, plan: Plan,
                 ) -> Payment:
    """``response`` (when the rail answers a repeat with 200) is told it was a repeat."""
    await take_fault(sandbox)
    candidate = replace(candidate, steps=await plan(candidate))
    try:
        payment, created = await sandbox.store.create_or_get(candidate)
    except DuplicateEndToEndIdError as exc:
        raise errors.duplicate_end_to_end_id(exc.existing) from exc
    if not created:
        if response is not None:
            response.status_code = 200
        return payment
    log.info("%s payment %s recorded: %s USD to %s", payment.rail.value, payment.end_to_end_id,
             payment.amount, _masked_payee(payment))
    sandbox.start_life(payment)
    delay_ms = await sandbox.faults.take_response_delay_ms()
    if delay_ms:
        # Recorded (and settling) before we stall: the caller that times out here has in fact
        # been paid, and must find that out by querying, not by paying again.
        await asyncio.sleep(delay_ms / 1000)
    return await sandbox.store.get(payment.end_to_end_id) or payment


def _masked_payee(payment: Payment) -> str:
    if payment.payee_email:
        return str(mask_email(payment.payee_email))
    if payment.payee_mobile:
        return str(mask_tail(payment.payee_mobile))
    return "a mailing address"  # names and addresses never go to the log


async def found(sandbox: Sandbox, end_to_end_id: str, rail: Rail, *,
                query: bool = True) -> Payment:
    """The payment as of the sandbox clock's present; ``query``: a status query, which the
    ``fail_status_next`` fault may refuse."""
    if query and await sandbox.faults.take_status_fault():
        raise errors.provider_unavailable("The provider cannot answer status queries now "
                                          "(injected fault).")
    await sandbox.ticker.tick()  # a status query sees the clock's present, ticker or not
    payment = await sandbox.store.get(end_to_end_id)
    if payment is None or payment.rail is not rail:
        raise errors.payment_not_found(end_to_end_id)
    return payment
