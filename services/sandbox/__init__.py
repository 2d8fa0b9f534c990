"""Provider sandbox: a dev/test stand-in for the external payment providers.

It speaks J.P. Morgan Global Payments v1 (Zelle, ACH), a Concourse modelled on it, Lob's check
API with a modelled bank (positive pay, stop payments, paid items) and a card gateway, at the
providers' paths; lets tests inject faults and move its clock; and keeps a ledger of every
payment it was asked to make so tests can audit "none lost, none paid twice". Like a bank it
forgets nothing when it restarts: payments, bank records, payee behaviours and its clock live in
its own PostgreSQL database (``SANDBOX_DATABASE_URL``). It is never a real provider.

Run it with ``python -m services.sandbox migrate`` once, then ``python -m services.sandbox``.
"""
