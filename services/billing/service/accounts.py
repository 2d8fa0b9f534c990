"""Use cases of staff on accounts and contacts; the portal user's own view (``me``)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from services.billing.adapters.orm import AccountRow, ContactRow
from services.billing.domain.contact import ContactKind
from services.billing.domain.errors import DuplicateAccount, NotFound
from services.billing.service import access
from services.billing.service.context import ServiceContext, is_staff
from shared.auth import Principal


@dataclass(frozen=True)
class NewContact:
    name: str
    email: str | None
    kind: ContactKind
    portal_access: bool


async def create_account(app: ServiceContext, actor: Principal, customer_id: str, name: str
                         ) -> AccountRow:
    async with app.uow(correlation_id=customer_id) as uow:
        if await uow.accounts.by_customer(customer_id) is not None:
            raise DuplicateAccount(f"customer {customer_id} already has an account")
        account = AccountRow(id=uuid.uuid4(), customer_id=customer_id, name=name,
                             created_by=actor.subject)
        uow.accounts.add(account)
        await uow.commit()
    return account


async def get_account(app: ServiceContext, viewer: Principal, account_id: uuid.UUID) -> AccountRow:
    async with app.uow() as uow:
        account = await access.visible_account(uow.accounts, viewer, account_id)
        await uow.commit()  # a rollback would expire what we return
    return account


async def find_account(app: ServiceContext, customer_id: str) -> AccountRow:
    async with app.uow() as uow:
        account = await uow.accounts.by_customer(customer_id)
        await uow.commit()
    if account is None:
        raise NotFound("account of customer", customer_id)
    return account


async def add_contact(app: ServiceContext, actor: Principal, account_id: uuid.UUID, new: NewContact
                      ) -> ContactRow:
    async with app.uow(correlation_id=str(account_id)) as uow:
        account = await access.visible_account(uow.accounts, actor, account_id)
        contact = ContactRow(id=uuid.uuid4(), account_id=account.id, name=new.name,
                             email=new.email, kind=new.kind, portal_access=new.portal_access,
                             active=True)
        uow.accounts.add_contact(contact)
        await uow.commit()
    return contact


async def list_contacts(app: ServiceContext, viewer: Principal, account_id: uuid.UUID
                        ) -> Sequence[ContactRow]:
    async with app.uow() as uow:
        account = await access.billing_account(uow.accounts, viewer, account_id)
        rows = await uow.accounts.contacts(account.id)
        await uow.commit()
    return rows


async def me(app: ServiceContext, viewer: Principal) -> tuple[AccountRow, ContactRow]:
    """The portal user's account and contact record (what the portal opens with)."""
    if is_staff(viewer) or viewer.customer_id is None:
        raise NotFound("portal contact", viewer.subject)
    async with app.uow() as uow:
        account = await uow.accounts.by_customer(viewer.customer_id)
        if account is None:
            raise NotFound("account of customer", viewer.customer_id)
        contact = await access.portal_contact(uow.accounts, viewer, account)
        await uow.commit()
    return account, contact
