"""Invoices: created and voided by staff, read with the balance by payers and staff."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from services.billing.api.deps import AccountAdmin, ContextDep, Reader
from services.billing.api.errors import problems
from services.billing.api.schemas import BalanceOut, InvoiceIn, InvoiceOut
from services.billing.domain.invoice import InvoiceStatus
from services.billing.service import invoices

router = APIRouter(prefix="/v1", tags=["invoices"])


@router.post(
    "/accounts/{account_id}/invoices", status_code=201, summary="Create an invoice",
    description="Open, with the whole amount open. Invoices payable online are the ones a "
    "portal payment is applied to.",
    response_description="The new invoice", responses=problems(403, 404, 409),
)
async def create_invoice(
    account_id: uuid.UUID, body: InvoiceIn, app: ContextDep, actor: AccountAdmin
) -> InvoiceOut:
    return InvoiceOut.of(await invoices.create_invoice(app, actor, account_id, body.to_command()))


@router.get(
    "/accounts/{account_id}/invoices", summary="List an account's invoices",
    description="Oldest first (invoice date, then number): the order payments are applied in.",
    response_description="Invoices", responses=problems(403, 404),
)
async def list_invoices(
    account_id: uuid.UUID, app: ContextDep, viewer: Reader,
    status: Annotated[InvoiceStatus | None, Query(examples=["open"])] = None,
) -> list[InvoiceOut]:
    rows = await invoices.list_invoices(app, viewer, account_id, status)
    return [InvoiceOut.of(row) for row in rows]


@router.get(
    "/accounts/{account_id}/balance", summary="The account balance",
    description="The sum of the open invoices payable online: the most a portal payment may be.",
    response_description="Balance", responses=problems(403, 404),
)
async def balance(account_id: uuid.UUID, app: ContextDep, viewer: Reader) -> BalanceOut:
    return BalanceOut.of(await invoices.balance(app, viewer, account_id))


@router.post(
    "/invoices/{invoice_id}/void", summary="Void an invoice",
    description="Only an open invoice nothing was applied to.",
    response_description="The void invoice", responses=problems(403, 404, 409),
)
async def void_invoice(invoice_id: uuid.UUID, app: ContextDep, actor: AccountAdmin
                       ) -> InvoiceOut:
    return InvoiceOut.of(await invoices.void_invoice(app, actor, invoice_id))
