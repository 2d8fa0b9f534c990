"""Request and response bodies of the billing API. Amounts are strings (``"125.00"``)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    EmailStr,
    Field,
    PlainSerializer,
    WithJsonSchema,
)

from services.billing.domain.contact import ContactKind
from services.billing.domain.invoice import InvoiceStatus
from services.billing.domain.payment import PaymentStatus
from services.billing.service.accounts import NewContact
from services.billing.service.invoices import NewInvoice
from services.billing.service.payments import PaymentCommand
from services.billing.service.records import AccountRecord, ContactRecord, InvoiceRecord
from services.billing.service.views import BalanceView, Line, PaymentView
from shared.money import Amount, Money
from shared.schemas import Input, Output

# Responses carry exact amounts that may be zero (what remains open); requests use Amount.
MoneyOut = Annotated[
    Decimal,
    PlainSerializer(lambda d: f"{d:.2f}", return_type=str, when_used="always"),
    WithJsonSchema({"type": "string", "pattern": r"^\d{1,9}\.\d{2}$", "examples": ["250.00"]}),
]


class AccountIn(Input):
    customer_id: str = Field(min_length=1, max_length=120, examples=["cust-1001"],
                             description="The customer's platform-wide key (as in claims).")
    name: str = Field(min_length=1, max_length=200, examples=["Acme Property Management"])


class AccountOut(Output):
    id: uuid.UUID
    customer_id: str = Field(examples=["cust-1001"])
    name: str
    created_by: str
    created_at: datetime


class ContactIn(Input):
    name: str = Field(min_length=1, max_length=120, examples=["Pat Payables"])
    email: EmailStr | None = Field(default=None, examples=["ap@acme-pm.com"])
    kind: ContactKind = Field(examples=["company"])
    portal_access: bool = Field(default=False, description="May sign in to the portal.")

    def to_command(self) -> NewContact:
        return NewContact(self.name, None if self.email is None else str(self.email),
                          self.kind, self.portal_access)


class ContactOut(Output):
    id: uuid.UUID = Field(description="A portal token's `sub`.")
    account_id: uuid.UUID
    name: str
    email: str | None
    kind: ContactKind
    portal_access: bool
    active: bool


class MeOut(BaseModel):
    account: AccountOut
    contact: ContactOut

    @classmethod
    def of(cls, account: AccountRecord, contact: ContactRecord) -> MeOut:
        return cls(account=AccountOut.model_validate(account),
                   contact=ContactOut.model_validate(contact))


class InvoiceIn(Input):
    number: str | None = Field(default=None, min_length=1, max_length=40,
                               pattern=r"^[A-Za-z0-9-]+$", examples=["INV-2026-0001"],
                               description="Omitted: the service assigns INV-nnnnnnnn.")
    invoice_date: date = Field(examples=["2026-11-01"])
    due_date: date = Field(examples=["2026-12-01"])
    amount: Amount = Field(examples=["125.00"])
    payable_online: bool = True
    description: str | None = Field(default=None, max_length=200, examples=["Service fee"])

    def to_command(self) -> NewInvoice:
        return NewInvoice(self.number, self.invoice_date, self.due_date, Money(self.amount),
                          self.payable_online, self.description)


class InvoiceOut(Output):
    id: uuid.UUID
    account_id: uuid.UUID
    number: str = Field(examples=["INV-00000042"])
    invoice_date: date
    due_date: date
    amount: MoneyOut
    open_balance: MoneyOut
    status: InvoiceStatus
    payable_online: bool
    description: str | None
    source_ref: str | None = Field(description="job:<id> for a dispatched job's service fee.")
    voided_at: datetime | None = Field(default=None, description="When it became void.")
    void_reason: str | None = Field(
        default=None, description="Why it is void: its service job was cancelled before the "
        "visit, or a staff void.", examples=["service job cancelled: service request "
                                              "cancelled: the customer fixed it"])
    void_refused_reason: str | None = Field(
        default=None, description="Set while its service job is cancelled but a payment on it "
        "keeps it owed: what was paid and how to refund it (the refund voids the invoice).",
        examples=["paid 40.00 of 100.00 (payment 4e0a4f5b-6666-4a53-9a51-0d2f3a4b5c6d); its "
                  "job was cancelled before the visit: refund the payment through POST "
                  "/v1/payments/{payment_id}/refund and the invoice is voided then"])

    @classmethod
    def of(cls, row: InvoiceRecord) -> InvoiceOut:
        return cls.model_validate(row)


class BalanceOut(BaseModel):
    account_id: str
    balance: MoneyOut = Field(description="Sum of the open invoices payable online.")
    open_total: MoneyOut = Field(description="Every open invoice, payable online or not.")
    open_invoices: int

    @classmethod
    def of(cls, view: BalanceView) -> BalanceOut:
        return cls(account_id=view.account_id, balance=view.payable,
                   open_total=view.open_total, open_invoices=view.open_invoices)


class BillingDetails(Input):
    name: str = Field(min_length=1, max_length=120, examples=["Pat Payables"])
    postal_code: str = Field(pattern=r"^\d{5}(-\d{4})?$", examples=["78701"])


class PaymentIn(Input):
    """No card or bank number is accepted here (the body forbids unknown fields): the portal
    tokenizes the method with the gateway and sends the token."""

    amount: Amount = Field(examples=["150.00"])
    payment_method_token: str = Field(pattern=r"^pm_[0-9a-f]{16}$",
                                      examples=["pm_3f2a9c0d1e4b5a6f"])
    billing_details: BillingDetails

    def to_command(self) -> PaymentCommand:
        return PaymentCommand(Money(self.amount), self.payment_method_token,
                              self.billing_details.name, self.billing_details.postal_code)


class AllocationOut(BaseModel):
    invoice_id: uuid.UUID
    invoice_number: str
    invoice_date: date
    amount_applied: MoneyOut = Field(description="Applied by this payment (or given back).")
    invoice_remaining: MoneyOut = Field(description="Open on the invoice right after.")

    @classmethod
    def of(cls, line: Line) -> AllocationOut:
        allocation, invoice = line
        return cls(invoice_id=invoice.id, invoice_number=invoice.number,
                   invoice_date=invoice.invoice_date, amount_applied=allocation.amount,
                   invoice_remaining=allocation.invoice_remaining)


class PaymentOut(BaseModel):
    """The payment confirmation."""

    id: uuid.UUID
    account_id: uuid.UUID
    contact_id: uuid.UUID
    amount: MoneyOut
    status: PaymentStatus
    method: str = Field(examples=["card ending 4242"])
    gateway_charge_id: str
    received_at: datetime
    balance_after: MoneyOut = Field(description="The account's payable balance right after.")
    allocations: list[AllocationOut] = Field(description="Oldest invoice first.")
    refunded_at: datetime | None = None
    reversals: list[AllocationOut] = Field(default_factory=list)

    @classmethod
    def of(cls, view: PaymentView) -> PaymentOut:
        p = view.payment
        return cls(
            id=p.id, account_id=p.account_id, contact_id=p.contact_id, amount=p.amount,
            status=p.status, method=f"{p.method_type} ending {p.method_last4 or '????'}",
            gateway_charge_id=p.gateway_charge_id, received_at=p.received_at,
            balance_after=p.balance_after,
            allocations=[AllocationOut.of(line) for line in view.applied],
            refunded_at=p.refunded_at, reversals=[AllocationOut.of(line) for line in view.reversed],
        )

    @classmethod
    def render(cls, view: PaymentView) -> dict[str, Any]:
        return cls.of(view).model_dump(mode="json")


class RefundIn(Input):
    reason: str = Field(min_length=1, max_length=200, examples=["charged in error"])
