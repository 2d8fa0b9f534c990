#!/usr/bin/env python3
"""``make demo``: a claim credit from contract to Concourse payment, over HTTP, step by step.

Drives the running stack (``make run``) as its users would: an agent records the contract, the
customer requests service, the agent posts options, the customer accepts the Claim Credit and
selects JP Morgan Concourse, Support Services approves; then it waits for the claim to be Paid
and prints the payout and the sandbox ledger entry. Then the other seeds' flows. Exits 0 only if
exactly one payment of the credit amount reached the customer's email and every other flow
added up.

URLs come from CLAIMS_URL, PAYOUTS_URL, BILLING_URL, SANDBOX_URL (defaults: localhost 8001,
8002, 8003, 8009). The flows themselves are the ``warranty_client`` package.
"""

from __future__ import annotations

from warranty_client.demo import main

if __name__ == "__main__":
    raise SystemExit(main())
