"""Use cases on a service order's options: post them, and accept one (which declines the rest;
accepting the Claim Credit opens its claim and the review exception)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from services.claims.adapters.orm import ClaimRow, OptionRow, ServiceOrderRow
from services.claims.adapters.orm.base import utcnow
from services.claims.domain.claim import Amounts, ClaimKind
from services.claims.domain.errors import NoActiveJob, NotFound, OptionsAlreadyPosted, OrderClosed
from services.claims.domain.events import noted
from services.claims.domain.options import (
    Offer,
    OptionAction,
    OptionKind,
    OptionStatus,
    acceptance_note,
    validate_offers,
)
from services.claims.domain.work import CLAIMABLE_JOB_STATUSES, OrderStatus
from services.claims.service.claim_open import open_claim
from services.claims.service.context import ServiceContext, ensure_visible, is_staff
from services.claims.service.work import get_order
from shared.auth import Principal
from shared.money import Money


@dataclass(frozen=True)
class Acceptance:
    order: ServiceOrderRow
    claim: ClaimRow | None


def _live_job_id(order: ServiceOrderRow) -> uuid.UUID | None:
    """Order events go on the timeline of the job doing the work (and carrying the claim)."""
    job = next((j for j in order.jobs if j.status in CLAIMABLE_JOB_STATUSES), None)
    return None if job is None else job.id


def _ensure_open(order: ServiceOrderRow) -> None:
    if order.status is not OrderStatus.OPEN:
        raise OrderClosed(f"service order {order.id} is closed and cannot be edited")


async def post_options(
    app: ServiceContext, actor: Principal, order_id: uuid.UUID, offers: Sequence[Offer]
) -> ServiceOrderRow:
    validate_offers(offers)
    async with app.uow() as uow:
        order = await uow.requests.order(order_id, lock=True)
        _ensure_open(order)
        if order.options:
            raise OptionsAlreadyPosted(f"options were already posted on order {order_id}")
        uow.requests.add_options(
            OptionRow(
                order_id=order.id, position=position, kind=offer.kind,
                amount=None if offer.amount is None else offer.amount.amount,
                description=offer.description, status=OptionStatus.OFFERED,
                posted_by=actor.subject,
            )
            for position, offer in enumerate(offers)
        )
        uow.record(*order.options_posted(
            [{"kind": o.kind.value, "amount": None if o.amount is None else str(o.amount)}
             for o in offers],
            job_id=_live_job_id(order), actor=actor.subject, at=utcnow()))
        await uow.commit()
    return await get_order(app, actor, order_id)


async def accept_option(
    app: ServiceContext, actor: Principal, order_id: uuid.UUID, option_id: uuid.UUID
) -> Acceptance:
    async with app.uow() as uow:
        # The order's lock serialises two acceptances of its options.
        order = await uow.requests.order(order_id, lock=True)
        request = await uow.requests.of_order(order)
        ensure_visible(actor, request.customer_id, "service order", order_id)
        _ensure_open(order)
        chosen = next((o for o in order.options if o.id == option_id), None)
        if chosen is None:
            raise NotFound("option", option_id)
        now = utcnow()
        chosen.decide(OptionAction.ACCEPT, actor=actor.subject, at=now)
        declined = [o for o in order.options if o.status is OptionStatus.OFFERED]
        for option in declined:
            option.decide(OptionAction.DECLINE, actor=actor.subject, at=now)
        job = next((j for j in order.jobs if j.status in CLAIMABLE_JOB_STATUSES), None)
        uow.record(*order.option_accepted(
            chosen.kind, [o.kind for o in declined], job_id=None if job is None else job.id,
            actor=actor.subject, at=now))

        claim = None
        if chosen.kind is OptionKind.CLAIM_CREDIT:
            if job is None:
                raise NoActiveJob(f"order {order_id} has no live job to carry the claim")
            assert chosen.amount is not None  # the table's CHECK guarantees it
            contract = await uow.contracts.get(request.contract_id, items=True)
            item = next(i for i in contract.items if i.id == order.covered_item_id)
            claim = await open_claim(
                uow, actor=actor.subject, job=job, contract=contract, item=item.kind,
                kind=ClaimKind.CLAIM_CREDIT,
                amounts=Amounts(gross=Money(chosen.amount), deductible=Money.zero()),
            )
        if job is not None:
            who = "Customer" if not is_staff(actor) else "Agent for the customer"
            offer = Offer(chosen.kind, None if chosen.amount is None else Money(chosen.amount))
            uow.record(noted(job.id, actor.subject, acceptance_note(
                f"{who} ({actor.subject})", offer, [o.kind for o in declined]), utcnow()))
        await uow.commit()
    return Acceptance(await get_order(app, actor, order_id), claim)
