"""The customer portal's busiest statements (a payment, the balance read), in plain asyncpg.

They run on the asyncpg connection under the unit of work's session (``shared/db/driver.py``: a
payment's in its transaction, the balance read on its own): a fraction of the CPU of a Core
statement through the session, and less still of an ORM query with its flush (the billing API is the
bottleneck of portal payments; ``bench/RESULTS.md``, "Figures behind the code"). Each returns only
the columns its use case needs, and the rows a payment writes go in one statement. The tables are
``adapters/orm.py``'s; the integration tests run every statement here against the migrated schema.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import asyncpg

from services.billing.adapters.orm import AllocationKind
from services.billing.domain.contact import ContactFacts, ContactKind
from services.billing.domain.invoice import OPEN_STATUSES, InvoiceStatus
from services.billing.domain.payment import PaymentStatus

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


_ACCESS = (
    "SELECT a.customer_id, c.kind, c.portal_access, c.active "
    "FROM accounts a LEFT JOIN contacts c ON c.id = $2 AND c.account_id = a.id "
    "WHERE a.id = $1"
)
# The balance rides along with the access facts; the caller shows it only once they pass.
_ACCESS_AND_BALANCES = (
    "SELECT a.customer_id, c.kind, c.portal_access, c.active, "
    "coalesce(sum(i.open_balance) FILTER (WHERE i.payable_online), 0) AS payable, "
    "coalesce(sum(i.open_balance), 0) AS open_total, count(i.id) AS open_invoices "
    "FROM accounts a LEFT JOIN contacts c ON c.id = $2 AND c.account_id = a.id "
    "LEFT JOIN invoices i ON i.account_id = a.id AND i.status = ANY($3::text[]) "
    "WHERE a.id = $1 GROUP BY a.id, c.id"
)


def _access(row: asyncpg.Record | None) -> AccountAccess:
    if row is None:
        return AccountAccess(None, None)
    contact = None if row["kind"] is None else ContactFacts(
        ContactKind(row["kind"]), row["portal_access"], row["active"])
    return AccountAccess(row["customer_id"], contact)


async def account_access(db: asyncpg.Connection, account_id: uuid.UUID,
                         contact_id: uuid.UUID | None) -> AccountAccess:
    return _access(await db.fetchrow(_ACCESS, account_id, contact_id))


async def access_and_balances(db: asyncpg.Connection, account_id: uuid.UUID,
                              contact_id: uuid.UUID | None
                              ) -> tuple[AccountAccess, Balances]:
    row = await db.fetchrow(_ACCESS_AND_BALANCES, account_id, contact_id, _OPEN)
    if row is None:
        return _access(None), Balances(Decimal(0), Decimal(0), 0)
    return _access(row), Balances(row["payable"], row["open_total"], row["open_invoices"])


async def lock_account(db: asyncpg.Connection, account_id: uuid.UUID) -> None:
    """``repository.lock_account`` on this connection: the per-account lock every change of
    the account's balances takes first, held until the transaction ends."""
    if not db.is_in_transaction():
        # outside a transaction the lock would be released as soon as it is taken
        raise RuntimeError("the account lock needs a transaction")
    await db.execute("SELECT id FROM accounts WHERE id = $1 FOR UPDATE", account_id)


@dataclass(frozen=True, slots=True)
class PayableInvoice:
    id: uuid.UUID
    number: str
    invoice_date: date
    amount: Decimal
    open_balance: Decimal
    status: InvoiceStatus


@dataclass(frozen=True, slots=True)
class Payable:
    invoices: list[PayableInvoice]  # oldest first
    balance: Decimal  # of every open invoice payable online, not only of these


# The oldest payable invoices up to the first that, with those before it, covers ``$3`` (each
# row whose older rows owe less than the amount), and the balance of them all. The allocation
# of the amount over these is the one over all of them: it stops within them, and an amount
# above the balance gets every invoice (each has less than the balance before it) so it is
# refused with the whole balance. Numbers compare as Python compares them (code points, so
# the "C" collation), whatever the database's collation.
_OLDEST_PAYABLE = (
    "SELECT id, number, invoice_date, amount, open_balance, status, balance FROM ("
    "SELECT id, number, invoice_date, amount, open_balance, status, "
    "sum(open_balance) OVER () AS balance, "
    "coalesce(sum(open_balance) OVER (ORDER BY invoice_date, number COLLATE \"C\" "
    "ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS owed_before "
    "FROM invoices WHERE account_id = $1 AND status = ANY($2::text[]) AND payable_online"
    ") AS payable WHERE owed_before < $3 ORDER BY invoice_date, number COLLATE \"C\""
)


async def oldest_payable(db: asyncpg.Connection, account_id: uuid.UUID, amount: Decimal
                         ) -> Payable:
    """The open invoices payable online that an ``amount`` is allocated over, oldest first,
    and the account's payable balance (read under the account lock)."""
    rows = await db.fetch(_OLDEST_PAYABLE, account_id, _OPEN, amount)
    invoices = [PayableInvoice(row["id"], row["number"], row["invoice_date"], row["amount"],
                               row["open_balance"], InvoiceStatus(row["status"]))
                for row in rows]
    return Payable(invoices, rows[0]["balance"] if rows else Decimal("0.00"))


@dataclass(frozen=True, slots=True)
class NewPayment:
    """A succeeded portal payment as it is stored (and shown in its confirmation)."""

    id: uuid.UUID
    account_id: uuid.UUID
    contact_id: uuid.UUID
    amount: Decimal
    status: PaymentStatus
    gateway_charge_id: str
    method_type: str
    method_last4: str | None
    billing_name: str
    billing_postal_code: str
    received_at: datetime
    balance_after: Decimal
    refunded_at: datetime | None = None  # not stored: a new payment; its confirmation shows it


@dataclass(frozen=True, slots=True)
class AppliedLine:
    """One invoice a payment paid: the allocation row and the invoice's new balance."""

    invoice_id: uuid.UUID
    position: int  # order applied: oldest invoice first
    amount: Decimal
    invoice_remaining: Decimal
    invoice_status: InvoiceStatus


# The payment, its allocation rows and its invoices' new balances (all stamped with the
# payment's time) in one statement: one round trip, and one prepared statement whatever the
# number of invoices (the rows come as arrays). The
# allocation rows' foreign key to the payment is checked at the end of the statement, when the
# payment row is there.
_RECORD_PAYMENT = (
    "WITH payment AS (INSERT INTO payments (id, account_id, contact_id, amount, status, "
    "gateway_charge_id, method_type, method_last4, billing_name, billing_postal_code, "
    "received_at, balance_after) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)), "
    "applied AS (INSERT INTO payment_allocations (payment_id, invoice_id, kind, position, "
    "amount, invoice_remaining, created_at) "
    "SELECT $1, line.invoice_id, $13, line.position, line.amount, line.remaining, $11 "
    "FROM unnest($14::uuid[], $15::integer[], $16::numeric[], $17::numeric[]) "
    "AS line(invoice_id, position, amount, remaining)) "
    "UPDATE invoices SET open_balance = line.remaining, status = line.status, updated_at = $11 "
    "FROM unnest($14::uuid[], $17::numeric[], $18::text[]) AS line(id, remaining, status) "
    "WHERE invoices.id = line.id"
)


async def record_payment(db: asyncpg.Connection, payment: NewPayment,
                         lines: Sequence[AppliedLine]) -> None:
    status = await db.execute(
        _RECORD_PAYMENT, payment.id, payment.account_id, payment.contact_id, payment.amount,
        payment.status.value, payment.gateway_charge_id, payment.method_type,
        payment.method_last4, payment.billing_name, payment.billing_postal_code,
        payment.received_at, payment.balance_after, AllocationKind.APPLY.value,
        [line.invoice_id for line in lines], [line.position for line in lines],
        [line.amount for line in lines], [line.invoice_remaining for line in lines],
        [line.invoice_status.value for line in lines],
    )
    # As the ORM's flush would: an invoice read under the lock that is not updated is a bug,
    # and raising rolls the whole payment back.
    if status != f"UPDATE {len(lines)}":
        raise RuntimeError(f"payment {payment.id} updated {status!r} of {len(lines)} invoices")
