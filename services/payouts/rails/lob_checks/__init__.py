"""Checks: printed and mailed by Lob (``POST /v1/checks``), issued to and paid by our bank.

Lob's contract (``tests/contracts/providers/lob-api-bundled.yml``) covers printing and mailing
only: the check object, its tracking events and webhooks. Lob never says a check was *paid*;
that is the bank's word, in its paid-items report. The bank side (positive-pay issue records,
stop payments, the paid-items report) has no published specification here and is modelled:
``docs/positive-pay.md``.
"""
