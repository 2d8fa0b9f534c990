"""Who sees which account.

Staff tokens (any role but ``customer``) see every account. A portal user's token has the role
``customer``, ``customer_id`` = the account's ``customer_id`` (the platform-wide customer key,
as in claims) and ``sub`` = the id of their contact on that account. Such a caller:
- sees nothing of another account: it does not exist for them (404);
- may view and pay the account's invoices only as an active company contact with portal access
  (403 otherwise — a site contact is told why, it is their own account).
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.billing.adapters import repository as repo
from services.billing.adapters.orm import AccountRow, ContactRow
from services.billing.domain.contact import ContactFacts, ensure_may_pay
from services.billing.domain.errors import NotFound, PortalAccessDenied
from services.billing.service.context import is_staff
from shared.auth import Principal


async def visible_account(
    session: AsyncSession, principal: Principal, account_id: uuid.UUID
) -> AccountRow:
    """The account if the caller may know it exists (staff, or a token of this customer)."""
    account = await session.get(AccountRow, account_id)
    if account is None or (not is_staff(principal)
                           and principal.customer_id != account.customer_id):
        raise NotFound("account", account_id)
    return account


async def portal_contact(
    session: AsyncSession, principal: Principal, account: AccountRow
) -> ContactRow:
    """The contact a portal token names, checked for the right to view and pay invoices."""
    try:
        contact_id = uuid.UUID(principal.subject)
    except ValueError:
        raise PortalAccessDenied("the token's subject is not a contact id") from None
    contact = await repo.contact(session, contact_id)
    if contact is None or contact.account_id != account.id:
        raise PortalAccessDenied("the token's subject is not a contact of this account")
    ensure_may_pay(ContactFacts(contact.kind, contact.portal_access, contact.active))
    return contact


async def billing_account(
    session: AsyncSession, principal: Principal, account_id: uuid.UUID
) -> AccountRow:
    """The account whose invoices and payments the caller may read (staff or a payer)."""
    account = await visible_account(session, principal, account_id)
    if not is_staff(principal):
        await portal_contact(session, principal, account)
    return account
