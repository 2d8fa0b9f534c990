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
from dataclasses import dataclass

from services.billing.adapters.orm import AccountRow, ContactRow
from services.billing.adapters.repositories import AccountAccess, AccountRepository
from services.billing.domain.contact import ContactFacts, ensure_may_pay
from services.billing.domain.errors import NotFound, PortalAccessDenied
from services.billing.service.context import is_staff
from shared.auth import Principal

NOT_A_CONTACT_ID = "the token's subject is not a contact id"
NOT_A_CONTACT = "the token's subject is not a contact of this account"


def _sees(principal: Principal, customer_id: str) -> bool:
    return is_staff(principal) or principal.customer_id == customer_id


def subject_contact_id(principal: Principal) -> uuid.UUID | None:
    """The contact a portal token names; None when its subject is no contact id."""
    try:
        return uuid.UUID(principal.subject)
    except ValueError:
        return None


async def visible_account(
    accounts: AccountRepository, principal: Principal, account_id: uuid.UUID
) -> AccountRow:
    """The account if the caller may know it exists (staff, or a token of this customer)."""
    account = await accounts.get(account_id)
    if account is None or not _sees(principal, account.customer_id):
        raise NotFound("account", account_id)
    return account


async def portal_contact(
    accounts: AccountRepository, principal: Principal, account: AccountRow
) -> ContactRow:
    """The contact a portal token names, checked for the right to view and pay invoices."""
    contact_id = subject_contact_id(principal)
    if contact_id is None:
        raise PortalAccessDenied(NOT_A_CONTACT_ID)
    contact = await accounts.contact(contact_id)
    if contact is None or contact.account_id != account.id:
        raise PortalAccessDenied(NOT_A_CONTACT)
    ensure_may_pay(ContactFacts(contact.kind, contact.portal_access, contact.active))
    return contact


async def billing_account(
    accounts: AccountRepository, principal: Principal, account_id: uuid.UUID
) -> AccountRow:
    """The account whose invoices and payments the caller may read (staff or a payer)."""
    account = await visible_account(accounts, principal, account_id)
    if not is_staff(principal):
        await portal_contact(accounts, principal, account)
    return account


@dataclass(frozen=True)
class PortalPayer:
    customer_id: str  # the account's
    contact_id: uuid.UUID


def _visible_customer(principal: Principal, account_id: uuid.UUID, access: AccountAccess
                      ) -> str:
    if access.customer_id is None or not _sees(principal, access.customer_id):
        raise NotFound("account", account_id)
    return access.customer_id


def verify_payer(principal: Principal, account_id: uuid.UUID, access: AccountAccess
                 ) -> PortalPayer:
    """``visible_account`` then ``portal_contact``, on the facts ``AccountRepository.access``
    read in one statement (for ``subject_contact_id(principal)``)."""
    customer_id = _visible_customer(principal, account_id, access)
    contact_id = subject_contact_id(principal)
    if contact_id is None:
        raise PortalAccessDenied(NOT_A_CONTACT_ID)
    if access.contact is None:
        raise PortalAccessDenied(NOT_A_CONTACT)
    ensure_may_pay(access.contact)
    return PortalPayer(customer_id, contact_id)


def verify_reader(principal: Principal, account_id: uuid.UUID, access: AccountAccess) -> None:
    """``billing_account`` on facts read in one statement: staff, or a payer of the account."""
    if is_staff(principal):
        _visible_customer(principal, account_id, access)
    else:
        verify_payer(principal, account_id, access)
