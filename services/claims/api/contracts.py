"""Contracts: record a warranty plan with its covered items and limits; read it."""

from __future__ import annotations

from fastapi import APIRouter

from services.claims.api.deps import ContextDep, ContractWriter, Id, Reader
from services.claims.api.errors import problems
from services.claims.api.schemas.contracts import ContractIn, ContractOut
from services.claims.domain.payment import MailingAddress
from services.claims.service import contracts
from services.claims.service.contracts import NewContract, NewItem

router = APIRouter(prefix="/v1/contracts", tags=["contracts"])


@router.post(
    "",
    status_code=201,
    summary="Record a contract",
    description="A customer's warranty plan: covered items, deductible and limits. Only an "
    "active contract is entitled to service.",
    response_description="The recorded contract",
    responses=problems(403),
)
async def create_contract(body: ContractIn, app: ContextDep, actor: ContractWriter) -> ContractOut:
    address: MailingAddress | None = (
        None if body.mailing_address is None else body.mailing_address.to_domain()
    )
    command = NewContract(
        customer_id=body.customer_id, brand=body.brand, status=body.status,
        holder_name=body.holder_name, limits=body.limits.to_domain(),
        items=[NewItem(i.kind, i.description, i.model, i.serial, i.install_type, i.cook_type)
               for i in body.covered_items],
        email=None if body.email is None else str(body.email), mobile=body.mobile,
        address=address,
    )
    return ContractOut.of(await contracts.create_contract(app, actor, command))


@router.get(
    "/{contract_id}",
    summary="Read a contract",
    response_description="The contract with its covered items",
    responses=problems(404),
)
async def get_contract(contract_id: Id, app: ContextDep, viewer: Reader) -> ContractOut:
    return ContractOut.of(await contracts.get_contract(app, viewer, contract_id))
