"""Use cases on a whole service request: open it (with microwave auto-replacement and the
dispatch of network jobs) and cancel it.

A dispatched (network) job owes the trade's service fee: opening it emits
``claims.service_job_dispatched`` in the same transaction, and billing invoices it; cancelling
the request before any visit emits ``claims.service_job_cancelled`` and billing voids it. An
auto-replaced microwave sends no technician, so no fee: its order gets the Replacement and
Claim Credit options at once.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from decimal import Decimal

from services.claims.adapters.orm import (
    ContractRow,
    CoveredItemRow,
    OptionRow,
    ServiceJobRow,
    ServiceOrderRow,
    ServiceRequestRow,
)
from services.claims.adapters.orm.base import utcnow
from services.claims.adapters.unit_of_work import ClaimsUnitOfWork
from services.claims.domain.contract import (
    MicrowaveFacts,
    auto_replacement_credit,
    auto_replacement_refusal,
)
from services.claims.domain.events import noted
from services.claims.domain.options import OptionKind, OptionStatus
from services.claims.domain.work import (
    Channel,
    JobKind,
    JobSnapshot,
    OrderStatus,
    ensure_request_cancellable,
)
from services.claims.service import limits
from services.claims.service.context import SYSTEM, ServiceContext, ensure_visible, is_staff
from services.claims.service.work import NewOrder, close_locked_order, get_request, open_request
from shared.auth import Principal
from shared.messaging.contracts import ServiceJobDispatchedV1


async def open_service_request(
    app: ServiceContext, actor: Principal, contract_id: uuid.UUID, channel: Channel,
    orders: Sequence[NewOrder],
) -> ServiceRequestRow:
    async with app.uow() as uow:
        contract = await uow.contracts.get(contract_id, items=True)
        ensure_visible(actor, contract.customer_id, "contract", contract_id)
        items = {item.id: item for item in contract.items}
        kinds = [_job_kind(contract, items.get(new.covered_item_id), new) for new in orders]
        # A customer on their own comes in through MyAccount, whatever the client claims.
        request, placed = await open_request(
            uow, actor, contract, channel if is_staff(actor) else Channel.PORTAL,
            orders, kinds,
        )
        for new, (order, job) in zip(orders, placed, strict=True):
            if job.kind is JobKind.AUTO_REPLACEMENT:
                _offer_auto_replacement(uow, contract, order, job)
            else:
                _dispatch(uow, contract, request, job, items[new.covered_item_id])
        await uow.commit()
    return await get_request(app, actor, request.id)


def _job_kind(contract: ContractRow, item: CoveredItemRow | None, new: NewOrder) -> JobKind:
    if item is None:
        return JobKind.DISPATCHED  # open_request refuses the unknown item
    facts = MicrowaveFacts(
        brand=contract.brand, kind=item.kind, install=item.install_type, cook=item.cook_type,
        model=new.model or item.model, serial=new.serial or item.serial,
    )
    if auto_replacement_refusal(facts) is None:
        return JobKind.AUTO_REPLACEMENT
    return JobKind.DISPATCHED


def _offer_auto_replacement(
    uow: ClaimsUnitOfWork, contract: ContractRow, order: ServiceOrderRow, job: ServiceJobRow
) -> None:
    """Replacement, or a Claim Credit: the plan's one-time replacement credit (a default when
    the plan names none)."""
    plan_credit = limits.limits_of(contract).replacement_credit
    credit = auto_replacement_credit(plan_credit).amount
    offers: list[tuple[OptionKind, Decimal | None]] = [
        (OptionKind.REPLACEMENT, None), (OptionKind.CLAIM_CREDIT, credit),
    ]
    uow.requests.add_options(
        OptionRow(order_id=job.order_id, position=position, kind=kind, amount=amount,
                  status=OptionStatus.OFFERED, posted_by=SYSTEM)
        for position, (kind, amount) in enumerate(offers)
    )
    now = utcnow()
    uow.record(
        *order.options_posted(
            [{"kind": k.value, "amount": None if a is None else f"{a:.2f}"} for k, a in offers],
            job_id=job.id, actor=SYSTEM, at=now, auto_replacement=True,
            credit_source="plan" if plan_credit is not None else "default"),
        noted(job.id, SYSTEM,
              f"Microwave auto-replacement: no diagnosis visit; the customer is offered "
              f"Replacement or a Claim Credit of ${credit:.2f}.", now),
    )


def _dispatch(
    uow: ClaimsUnitOfWork, contract: ContractRow, request: ServiceRequestRow,
    job: ServiceJobRow, item: CoveredItemRow,
) -> None:
    """The network job goes out; the customer owes the trade's service fee (if any)."""
    fee = limits.limits_of(contract).deductible_for(item.kind.value)
    uow.record(*job.dispatched(trade=item.kind.value, service_fee=fee, actor=SYSTEM,
                               at=utcnow()))
    if fee.is_zero():
        return  # nothing to bill
    uow.emit(
        ServiceJobDispatchedV1(
            job_id=str(job.id), service_order_id=str(job.order_id),
            service_request_id=str(request.id), contract_id=str(contract.id),
            customer_id=contract.customer_id, trade=item.kind.value, service_fee=fee.amount,
            dispatched_at=job.created_at,
        ),
        correlation_id=str(job.id),
    )


async def cancel_service_request(
    app: ServiceContext, actor: Principal, request_id: uuid.UUID, reason: str
) -> ServiceRequestRow:
    """Cancel every open job and close every open order, only while no technician has been
    out and each job to cancel is New or Accepted (the cancel-a-request checklist). Each
    dispatched job that owed a fee emits ``claims.service_job_cancelled`` in this transaction
    (``close_locked_order``): billing voids its fee invoice."""
    async with app.uow() as uow:
        request = await uow.requests.get(request_id)
        ensure_visible(actor, request.customer_id, "service request", request_id)
        orders = [await uow.requests.order(o.id, lock=True) for o in request.orders]
        ensure_request_cancellable([
            JobSnapshot(job.status, job.technician_out_at is not None)
            for order in orders for job in order.jobs
        ])
        for order in orders:
            if order.status is OrderStatus.OPEN:
                await close_locked_order(uow, order, actor.subject,
                                         f"service request cancelled: {reason}",
                                         f"service request cancelled: {reason}")
        await uow.commit()
    return await get_request(app, actor, request_id)
