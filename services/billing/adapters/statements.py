"""The customer portal's busiest statements (a payment, the balance read), built once at import.

They run in plain asyncpg on the connection under the unit of work's session
(``shared/db/driver.py``: a payment's in its transaction, the balance read on its own): a fraction
of the CPU of a Core statement through the session, and less still of an ORM query with its flush
(the billing API is the bottleneck of portal payments; ``bench/RESULTS.md``, "Figures behind the
code"). Each returns only the columns its use case needs, and the rows a payment writes go in one
statement. The tables are ``adapters/orm.py``'s; the repositories that own these statements run
them, and the integration tests run every one of them against the migrated schema.
"""

from __future__ import annotations

from shared.db.driver import positional

ACCESS = positional(
    "SELECT a.customer_id, c.kind, c.portal_access, c.active "
    "FROM accounts a LEFT JOIN contacts c ON c.id = :contact_id AND c.account_id = a.id "
    "WHERE a.id = :account_id"
)
# The balance rides along with the access facts; the caller shows it only once they pass.
ACCESS_AND_BALANCES = positional(
    "SELECT a.customer_id, c.kind, c.portal_access, c.active, "
    "coalesce(sum(i.open_balance) FILTER (WHERE i.payable_online), 0) AS payable, "
    "coalesce(sum(i.open_balance), 0) AS open_total, count(i.id) AS open_invoices "
    "FROM accounts a LEFT JOIN contacts c ON c.id = :contact_id AND c.account_id = a.id "
    "LEFT JOIN invoices i ON i.account_id = a.id AND i.status = ANY(:open::text[]) "
    "WHERE a.id = :account_id GROUP BY a.id, c.id"
)
LOCK_ACCOUNT = positional("SELECT id FROM accounts WHERE id = :account_id FOR UPDATE")

# The oldest payable invoices up to the first that, with those before it, covers ``:amount``
# (each row whose older rows owe less than the amount), and the balance of them all. The
# allocation of the amount over these is the one over all of them: it stops within them, and an
# amount above the balance gets every invoice (each has less than the balance before it) so it
# is refused with the whole balance. Numbers compare as Python compares them (code points, so
# the "C" collation), whatever the database's collation.
OLDEST_PAYABLE = positional(
    "SELECT id, number, invoice_date, amount, open_balance, status, balance FROM ("
    "SELECT id, number, invoice_date, amount, open_balance, status, "
    "sum(open_balance) OVER () AS balance, "
    "coalesce(sum(open_balance) OVER (ORDER BY invoice_date, number COLLATE \"C\" "
    "ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS owed_before "
    "FROM invoices WHERE account_id = :account_id AND status = ANY(:open::text[]) "
    "AND payable_online"
    ") AS payable WHERE owed_before < :amount ORDER BY invoice_date, number COLLATE \"C\""
)

# The payment, its allocation rows and its invoices' new balances (all stamped with the
# payment's time) in one statement: one round trip, and one prepared statement whatever the
# number of invoices (the rows come as arrays). The allocation rows' foreign key to the payment
# is checked at the end of the statement, when the payment row is there.
RECORD_PAYMENT = positional(
    "WITH payment AS (INSERT INTO payments (id, account_id, contact_id, amount, status, "
    "gateway_charge_id, method_type, method_last4, billing_name, billing_postal_code, "
    "received_at, balance_after) VALUES (:id, :account_id, :contact_id, :amount, :status, "
    ":gateway_charge_id, :method_type, :method_last4, :billing_name, :billing_postal_code, "
    ":received_at, :balance_after)), "
    "applied AS (INSERT INTO payment_allocations (payment_id, invoice_id, kind, position, "
    "amount, invoice_remaining, created_at) "
    "SELECT :id, line.invoice_id, :kind, line.position, line.amount, line.remaining, "
    ":received_at "
    "FROM unnest(:invoice_ids::uuid[], :positions::integer[], :amounts::numeric[], "
    ":remainings::numeric[]) AS line(invoice_id, position, amount, remaining)) "
    "UPDATE invoices SET open_balance = line.remaining, status = line.status, "
    "updated_at = :received_at "
    "FROM unnest(:invoice_ids::uuid[], :remainings::numeric[], :statuses::text[]) "
    "AS line(id, remaining, status) "
    "WHERE invoices.id = line.id"
)
