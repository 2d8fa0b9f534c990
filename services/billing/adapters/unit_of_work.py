"""The billing unit of work: the repositories a use case reaches the database through."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.billing.adapters.accounts import AccountRepository
from services.billing.adapters.invoices import FeeCancellationRepository, InvoiceRepository
from services.billing.adapters.keys import IdempotencyKeys, Inbox
from services.billing.adapters.payments import PaymentRepository
from shared.uow import UnitOfWork

# What ``ServiceContext`` keeps for ``uow()`` to open its transactions with.
Sessions = async_sessionmaker[AsyncSession]


class BillingUnitOfWork(UnitOfWork):
    accounts: AccountRepository
    invoices: InvoiceRepository
    fee_cancellations: FeeCancellationRepository
    payments: PaymentRepository
    keys: IdempotencyKeys
    inbox: Inbox

    def bind(self, session: AsyncSession) -> None:
        self.accounts = AccountRepository(session)
        self.invoices = InvoiceRepository(session)
        self.fee_cancellations = FeeCancellationRepository(session)
        self.payments = PaymentRepository(session)
        self.keys = IdempotencyKeys(session)
        self.inbox = Inbox(session)
