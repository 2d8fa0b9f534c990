"""Use cases on invoices: staff create and void them; payers and staff read them and the balance;
a dispatched service job's fee becomes an invoice (from the claims event)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from services.billing.adapters.orm import InvoiceRow
from services.billing.domain.errors import DuplicateInvoiceNumber, InvalidInvoice
from services.billing.domain.invoice import InvoiceStatus
from services.billing.service import access
from services.billing.service.context import CLAIMS_ACTOR, ServiceContext
from services.billing.service.fee_cancellations import CONSUMER, job_source
from services.billing.service.views import BalanceView
from shared.auth import Principal
from shared.messaging.contracts import ServiceJobDispatchedV1
from shared.messaging.envelope import Envelope
from shared.money import Money

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NewInvoice:
    number: str | None  # None: the service assigns the next INV-nnnnnnnn
    invoice_date: date
    due_date: date
    amount: Money
    payable_online: bool
    description: str | None


async def create_invoice(app: ServiceContext, actor: Principal, account_id: uuid.UUID,
                         new: NewInvoice) -> InvoiceRow:
    if new.due_date < new.invoice_date:
        raise InvalidInvoice("the due date is before the invoice date")
    async with app.uow(correlation_id=str(account_id)) as uow:
        account = await access.visible_account(uow.accounts, actor, account_id)
        if new.number is not None and await uow.invoices.number_taken(new.number):
            raise DuplicateInvoiceNumber(f"invoice number {new.number} is already used")
        row = InvoiceRow(
            id=uuid.uuid4(), account_id=account.id,
            number=new.number or await uow.invoices.next_number(),
            invoice_date=new.invoice_date, due_date=new.due_date, amount=new.amount.amount,
            open_balance=new.amount.amount, status=InvoiceStatus.OPEN,
            payable_online=new.payable_online, description=new.description,
            created_by=actor.subject,
        )
        uow.invoices.add(row)
        await uow.commit()
    return row


async def void_invoice(app: ServiceContext, actor: Principal, invoice_id: uuid.UUID) -> InvoiceRow:
    async with app.uow(correlation_id=str(invoice_id)) as uow:
        found = await uow.invoices.get(invoice_id)
        await access.visible_account(uow.accounts, actor, found.account_id)
        await uow.accounts.lock(found.account_id)  # no payment is allocating it now
        await uow.invoices.reload(found)
        found.void(reason=f"voided by {actor.subject}", at=datetime.now(UTC))
        await uow.commit()
    return found


async def list_invoices(app: ServiceContext, viewer: Principal, account_id: uuid.UUID,
                        status: InvoiceStatus | None) -> Sequence[InvoiceRow]:
    async with app.uow() as uow:
        account = await access.billing_account(uow.accounts, viewer, account_id)
        rows = await uow.invoices.of_account(account.id, status)
        await uow.commit()  # a rollback would expire what we return
    return rows


async def balance(app: ServiceContext, viewer: Principal, account_id: uuid.UUID) -> BalanceView:
    """One statement reads the balances with the access facts (the portal reads the balance as
    often as it pays); nothing is written, and one statement needs no transaction of its own."""
    async with app.uow() as uow:
        facts, balances = await uow.accounts.access_and_balances(
            account_id, access.subject_contact_id(viewer))
    access.verify_reader(viewer, account_id, facts)
    return BalanceView(str(account_id), balances.payable, balances.open_total,
                       balances.open_invoices)


async def bill_dispatched_job(app: ServiceContext, envelope: Envelope, event: ServiceJobDispatchedV1
                              ) -> bool:
    """The job's service fee becomes an open invoice on the customer's account; True if new.

    Decision: an account that does not exist yet is created (named after the customer key, no
    contacts) rather than the event parked — claims and billing learn of a customer in either
    order, and a fee must never be lost for it. Staff add the contacts that may pay it. The job
    id is the invoice's source, so a re-sent event (even with a new message id) bills once.
    A job claims already cancelled (its cancellation delivered first) raises no invoice; the
    account's lock orders this against that cancellation (``fee_cancellations``).
    """
    async with app.uow(caused_by=envelope) as uow:
        if not await uow.first_delivery(CONSUMER, envelope):
            return False
        account = await uow.accounts.ensure(event.customer_id, CLAIMS_ACTOR)
        await uow.accounts.lock(account.id)
        source_ref = job_source(event.job_id)
        if await uow.invoices.by_source(source_ref) is not None:
            log.info("service job %s is already billed", event.job_id)
            await uow.commit()  # keep the inbox row: this message is handled
            return False
        if await uow.fee_cancellations.get(source_ref) is not None:
            log.info("service job %s was cancelled before it was billed: no invoice",
                     event.job_id)
            await uow.commit()
            return False
        dispatched_on = event.dispatched_at.astimezone(UTC).date()
        uow.invoices.add(InvoiceRow(
            id=uuid.uuid4(), account_id=account.id,
            number=await uow.invoices.next_number(), invoice_date=dispatched_on,
            due_date=dispatched_on + timedelta(days=app.invoice_terms_days),
            amount=event.service_fee, open_balance=event.service_fee,
            status=InvoiceStatus.OPEN, payable_online=True,
            description=f"Service fee ({event.trade}), service job {event.job_id}"[:200],
            source_ref=source_ref, created_by=CLAIMS_ACTOR,
        ))
        await uow.commit()
    return True
