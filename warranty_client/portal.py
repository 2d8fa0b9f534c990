"""Seed 002: a company contact pays part of the balance from the customer portal.

Staff set up a customer company with a company contact (portal access) and a site contact and
three invoices; the portal tokenizes a card with the sandbox gateway (the card number never
reaches billing); the company contact pays part of the balance and the confirmation shows it
applied to the oldest invoices first, the last one in part, and the new balance. The site
contact is refused.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx

from shared.auth import Role
from shared.settings import PlatformSettings
from warranty_client.actors import bearer
from warranty_client.http import FlowFailed, Say, Urls, expect

APPROVED_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000002"
# (invoice date, amount): listed newest first on purpose; payment goes oldest first.
DEMO_INVOICES = (("2026-10-15", "75.00"), ("2026-09-01", "100.00"), ("2026-09-20", "50.00"))


def billing_url(urls: Urls) -> str:
    return str(getattr(urls, "billing", None) or os.environ.get("BILLING_URL")
               or "http://127.0.0.1:8003")


@dataclass
class PortalAccount:
    """One customer company set up over the API, and its people's requests."""

    billing: httpx.AsyncClient  # base_url = the billing API
    gateway: httpx.AsyncClient  # base_url = the gateway (the portal's browser talks to it)
    settings: PlatformSettings
    customer_id: str = field(default_factory=lambda: f"cust-{uuid.uuid4().hex[:10]}")
    account: dict[str, Any] = field(default_factory=dict)
    company: dict[str, Any] = field(default_factory=dict)  # company contact, portal access
    site: dict[str, Any] = field(default_factory=dict)  # site contact
    invoices: list[dict[str, Any]] = field(default_factory=list)

    @property
    def staff(self) -> dict[str, str]:
        return bearer(self.settings, "billing-agent-bo", Role.AGENT)

    @property
    def payables(self) -> dict[str, str]:
        return bearer(self.settings, "payables-pat", Role.PAYABLES)

    def portal(self, contact: dict[str, Any], customer_id: str | None = None) -> dict[str, str]:
        """A portal user's token: sub = contact id, customer_id = the account's key."""
        return bearer(self.settings, str(contact["id"]), Role.CUSTOMER,
                      customer_id or self.customer_id)

    @property
    def path(self) -> str:
        return f"/v1/accounts/{self.account['id']}"

    async def open(self, invoices: tuple[tuple[str, str], ...] = DEMO_INVOICES) -> PortalAccount:
        self.account = expect(await self.billing.post("/v1/accounts", headers=self.staff, json={
            "customer_id": self.customer_id, "name": "Acme Property Management"}), 201)
        self.company = await self.add_contact("Pat Payables", "company", portal_access=True)
        self.site = await self.add_contact("Sam Site", "site", portal_access=True)
        for index, (day, amount) in enumerate(invoices):
            await self.add_invoice(day, amount, number=f"{self.customer_id}-{index + 1:03d}")
        return self

    async def add_contact(self, name: str, kind: str, *, portal_access: bool) -> dict[str, Any]:
        body = {"name": name, "kind": kind, "portal_access": portal_access}
        return dict(expect(await self.billing.post(f"{self.path}/contacts", json=body,
                                                   headers=self.staff), 201))

    async def add_invoice(self, day: str, amount: str, *, number: str | None = None,
                          payable_online: bool = True) -> dict[str, Any]:
        body = {"invoice_date": day, "due_date": day, "amount": amount, "number": number,
                "payable_online": payable_online}
        invoice = dict(expect(await self.billing.post(f"{self.path}/invoices", json=body,
                                                      headers=self.staff), 201))
        self.invoices.append(invoice)
        return invoice

    async def tokenize(self, card: str = APPROVED_CARD) -> str:
        body = {"type": "card",
                "card": {"number": card, "exp_month": 12, "exp_year": 2030, "cvc": "123"}}
        return str(expect(await self.gateway.post("/payment-methods", json=body), 201)["token"])

    async def pay(self, amount: str, token: str, *, contact: dict[str, Any] | None = None,
                  key: str | None = None) -> httpx.Response:
        body = {"amount": amount, "payment_method_token": token,
                "billing_details": {"name": "Pat Payables", "postal_code": "78701"}}
        headers = {**self.portal(contact or self.company),
                   "Idempotency-Key": key or f"pay-{uuid.uuid4().hex}"}
        return await self.billing.post(f"{self.path}/payments", json=body, headers=headers)

    async def balance(self) -> dict[str, Any]:
        return dict(expect(await self.billing.get(f"{self.path}/balance",
                                                  headers=self.portal(self.company)), 200))

    async def list_invoices(self) -> list[dict[str, Any]]:
        return list(expect(await self.billing.get(f"{self.path}/invoices",
                                                  headers=self.portal(self.company)), 200))


async def portal_payment(urls: Urls, say: Say = print, *,
                         settings: PlatformSettings | None = None,
                         billing_base: str | None = None) -> dict[str, Any]:
    """The portal payment story; returns the confirmation, raises FlowFailed on any mismatch."""
    settings = settings or PlatformSettings()
    base = billing_base or billing_url(urls)
    async with (httpx.AsyncClient(base_url=base, timeout=15) as billing,
                httpx.AsyncClient(base_url=urls.sandbox + "/gateway/v1", timeout=15) as gateway):
        acct = await PortalAccount(billing, gateway, settings).open()
        say(f"B1. account {acct.customer_id}: company contact {acct.company['name']} (portal), "
            f"site contact {acct.site['name']}")
        for invoice in await acct.list_invoices():
            say(f"B2. invoice {invoice['number']} dated {invoice['invoice_date']}: "
                f"{invoice['amount']} open")
        before = await acct.balance()
        say(f"B3. balance {before['balance']}")
        token = await acct.tokenize()
        say(f"B4. the portal tokenized a card with the gateway: {token}")
        refused = await acct.pay("10.00", token, contact=acct.site)
        if refused.status_code != 403:
            raise FlowFailed(f"a site contact's payment answered {refused.status_code}")
        say("B5. the site contact's payment is refused (403): only company contacts pay")
        confirmation = expect(await acct.pay("130.00", token), 201)
        say(f"B6. company contact paid {confirmation['amount']} by {confirmation['method']}:")
        for line in confirmation["allocations"]:
            say(f"    {line['invoice_number']} ({line['invoice_date']}): applied "
                f"{line['amount_applied']}, {line['invoice_remaining']} remains open")
        after = await acct.balance()
        say(f"B7. new balance {after['balance']}")
        applied = [(a["invoice_date"], a["amount_applied"]) for a in confirmation["allocations"]]
        if applied != [("2026-09-01", "100.00"), ("2026-09-20", "30.00")] or \
                Decimal(after["balance"]) != Decimal(before["balance"]) - Decimal("130.00"):
            raise FlowFailed(f"unexpected allocation {applied} or balance {after['balance']}")
        return dict(confirmation)
