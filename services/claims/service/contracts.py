"""Use cases on contracts: record a plan with its covered items; read it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from services.claims.adapters.orm import ContractRow, CoveredItemRow
from services.claims.adapters.orm.base import utcnow
from services.claims.domain.contract import (
    Brand,
    ContractStatus,
    CookType,
    InstallType,
    ItemKind,
    Limits,
)
from services.claims.domain.payment import MailingAddress
from services.claims.service.context import ServiceContext, ensure_visible
from shared.auth import Principal


@dataclass(frozen=True)
class NewItem:
    kind: ItemKind
    description: str
    model: str | None = None
    serial: str | None = None
    install_type: InstallType | None = None
    cook_type: CookType | None = None


@dataclass(frozen=True)
class NewContract:
    customer_id: str
    brand: Brand
    status: ContractStatus
    holder_name: str
    limits: Limits
    items: list[NewItem] = field(default_factory=list)
    email: str | None = None
    mobile: str | None = None
    address: MailingAddress | None = None


async def create_contract(app: ServiceContext, actor: Principal, cmd: NewContract) -> ContractRow:
    async with app.uow() as uow:
        address = cmd.address
        contract = ContractRow(
            id=uuid.uuid4(),
            customer_id=cmd.customer_id,
            brand=cmd.brand,
            status=cmd.status,
            holder_name=cmd.holder_name,
            email=cmd.email,
            mobile=cmd.mobile,
            address_line1=address.line1 if address else None,
            address_line2=address.line2 if address else None,
            address_city=address.city if address else None,
            address_state=address.state if address else None,
            address_zip=address.zip if address else None,
            service_fee=cmd.limits.service_fee.amount,
            per_claim_cap=cmd.limits.per_claim_cap.amount,
            annual_aggregate=cmd.limits.annual_aggregate.amount,
            replacement_credit=None if cmd.limits.replacement_credit is None
            else cmd.limits.replacement_credit.amount,
            trade_deductibles={trade: str(fee) for trade, fee
                               in cmd.limits.trade_deductibles.items()},
            created_by=actor.subject,
        )
        await uow.contracts.add(contract, (
            CoveredItemRow(
                contract_id=contract.id, position=position, kind=item.kind,
                description=item.description, model=item.model, serial=item.serial,
                install_type=item.install_type, cook_type=item.cook_type,
            )
            for position, item in enumerate(cmd.items)
        ))
        uow.record(*contract.created(actor=actor.subject, at=utcnow()))
        await uow.commit()
    return await get_contract(app, actor, contract.id)


async def get_contract(
    app: ServiceContext, viewer: Principal, contract_id: uuid.UUID
) -> ContractRow:
    async with app.uow() as uow:
        contract = await uow.contracts.get(contract_id, items=True)
    ensure_visible(viewer, contract.customer_id, "contract", contract_id)
    return contract
