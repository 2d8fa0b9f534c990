"""Accounts (the customer companies) and their contacts; the portal user's own record."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from services.billing.api.deps import AccountAdmin, ContextDep, Reader
from services.billing.api.errors import problems
from services.billing.api.schemas import AccountIn, AccountOut, ContactIn, ContactOut, MeOut
from services.billing.service import accounts

router = APIRouter(prefix="/v1", tags=["accounts"])


@router.post(
    "/accounts", status_code=201, summary="Create an account",
    description="The customer company, keyed by its platform-wide customer id (the same key "
    "claims uses and a portal token carries as `customer_id`).",
    response_description="The new account", responses=problems(403, 409),
)
async def create_account(body: AccountIn, app: ContextDep, actor: AccountAdmin) -> AccountOut:
    row = await accounts.create_account(app, actor, body.customer_id, body.name)
    return AccountOut.model_validate(row)


@router.get(
    "/accounts", summary="Find the account of a customer",
    response_description="The account", responses=problems(403, 404),
)
async def find_account(
    app: ContextDep, actor: AccountAdmin,
    customer_id: Annotated[str, Query(min_length=1, max_length=120, pattern=r"^[^\x00]*$",
                                        examples=["cust-1001"])],
) -> AccountOut:
    return AccountOut.model_validate(await accounts.find_account(app, customer_id))


@router.get(
    "/accounts/{account_id}", summary="Read an account",
    description="Staff, or a portal user of this account; to anyone else it does not exist.",
    response_description="The account", responses=problems(404),
)
async def get_account(account_id: uuid.UUID, app: ContextDep, viewer: Reader) -> AccountOut:
    return AccountOut.model_validate(await accounts.get_account(app, viewer, account_id))


@router.post(
    "/accounts/{account_id}/contacts", status_code=201, summary="Add a contact",
    description="A company contact with portal access may view and pay invoices; a site "
    "contact (the person at a serviced location) may not. The contact's id is the `sub` of "
    "their portal token.",
    response_description="The new contact", responses=problems(403, 404),
)
async def add_contact(
    account_id: uuid.UUID, body: ContactIn, app: ContextDep, actor: AccountAdmin
) -> ContactOut:
    row = await accounts.add_contact(app, actor, account_id, body.to_command())
    return ContactOut.model_validate(row)


@router.get(
    "/accounts/{account_id}/contacts", summary="List an account's contacts",
    response_description="Contacts, oldest first", responses=problems(403, 404),
)
async def list_contacts(
    account_id: uuid.UUID, app: ContextDep, viewer: Reader
) -> list[ContactOut]:
    rows = await accounts.list_contacts(app, viewer, account_id)
    return [ContactOut.model_validate(row) for row in rows]


@router.get(
    "/me", summary="The portal user's account and contact",
    description="What the portal opens with: the account of the token's `customer_id` and the "
    "contact named by its `sub`. Only company contacts with portal access get an answer.",
    response_description="Account and contact", responses=problems(403, 404),
)
async def me(app: ContextDep, viewer: Reader) -> MeOut:
    account, contact = await accounts.me(app, viewer)
    return MeOut.of(account, contact)
