"""Provider sandbox: a dev/test stand-in for the external payment providers.

It speaks HTTP like J.P. Morgan Concourse (end-to-end ids that make a repeat a status query,
asynchronous settlement, HMAC-signed callbacks, status queries), lets tests inject faults, and
keeps a ledger of every payment it was asked to make so tests can audit "none lost, none paid
twice". Everything is in memory: restarting the process forgets all payments, which is what a
test stand-in should do and why this must never be deployed as a real provider.

Run it with ``python -m services.sandbox``.
"""
