"""The account aggregate: the customer company, its contacts, its lock and what the portal
reads of it in one statement (who may pay, and the balance)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import asyncpg
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from services.billing.adapters import statements as st
from services.billing.adapters.orm import AccountRow, ContactRow, utcnow
from services.billing.domain.contact import ContactFacts, ContactKind
from services.billing.domain.invoice import OPEN_STATUSES
from shared.db.driver import session_driver, transaction_driver
from shared.db.repository import Repository

_OPEN = sorted(OPEN_STATUSES)


@dataclass(frozen=True, slots=True)
class AccountAccess:
    """What the access rules need: the account's customer key (None: no such account) and the
    contact the token names, if it is one of this account's."""

    customer_id: str | None
    contact: ContactFacts | None


@dataclass(frozen=True, slots=True)
class Balances:
    payable: Decimal  # open invoices payable online
    open_total: Decimal  # every open invoice
    open_invoices: int


def _access(row: asyncpg.Record | None) -> AccountAccess:
    if row is None:
        return AccountAccess(None, None)
    contact = None if row["kind"] is None else ContactFacts(
        ContactKind(row["kind"]), row["portal_access"], row["active"])
    return AccountAccess(row["customer_id"], contact)


class AccountRepository(Repository):
    async def get(self, account_id: uuid.UUID) -> AccountRow | None:
        return await self.session.get(AccountRow, account_id)

    async def by_customer(self, customer_id: str) -> AccountRow | None:
        found = await self.session.scalars(
            select(AccountRow).where(AccountRow.customer_id == customer_id))
        return found.first()

    def add(self, account: AccountRow) -> None:
        self.session.add(account)

    async def ensure(self, customer_id: str, created_by: str) -> AccountRow:
        """The account of ``customer_id``, created (named after the key) if it does not
        exist."""
        await self.session.execute(
            insert(AccountRow)
            .values(id=uuid.uuid4(), customer_id=customer_id, name=customer_id,
                    created_by=created_by, created_at=utcnow())
            .on_conflict_do_nothing(index_elements=[AccountRow.customer_id])
        )
        found = await self.by_customer(customer_id)
        assert found is not None
        return found

    async def contact(self, contact_id: uuid.UUID) -> ContactRow | None:
        return await self.session.get(ContactRow, contact_id)

    async def contacts(self, account_id: uuid.UUID) -> Sequence[ContactRow]:
        found = await self.session.scalars(
            select(ContactRow).where(ContactRow.account_id == account_id)
            .order_by(ContactRow.created_at, ContactRow.id)
        )
        return found.all()

    def add_contact(self, contact: ContactRow) -> None:
        self.session.add(contact)

    # The fast path (``adapters/statements.py``): plain asyncpg on the session's connection,
    # for the portal's statements and the lock every balance change takes.

    async def lock(self, account_id: uuid.UUID) -> None:
        """The per-account lock: every change of an account's balances (payment, refund, void)
        takes it first, so two of them on one account run one after the other. Held until
        the transaction ends (the driver's transaction is the session's)."""
        db = await transaction_driver(self.session)
        await db.execute(st.LOCK_ACCOUNT.sql, *st.LOCK_ACCOUNT.args({"account_id": account_id}))

    async def access(self, account_id: uuid.UUID, contact_id: uuid.UUID | None
                     ) -> AccountAccess:
        """The access facts, as the first statement of a payment's transaction."""
        db = await transaction_driver(self.session)
        return _access(await db.fetchrow(
            st.ACCESS.sql, *st.ACCESS.args({"account_id": account_id, "contact_id": contact_id})))

    async def access_and_balances(self, account_id: uuid.UUID, contact_id: uuid.UUID | None
                                  ) -> tuple[AccountAccess, Balances]:
        """The balance read: one statement, on its own (it writes nothing, so it needs no
        transaction)."""
        db = await session_driver(self.session)
        row = await db.fetchrow(st.ACCESS_AND_BALANCES.sql, *st.ACCESS_AND_BALANCES.args(
            {"account_id": account_id, "contact_id": contact_id, "open": _OPEN}))
        if row is None:
            return _access(None), Balances(Decimal(0), Decimal(0), 0)
        return _access(row), Balances(row["payable"], row["open_total"], row["open_invoices"])
