#!/usr/bin/env python3
"""The billing demo (seed 002) alone, against the running stack (``make run``): a company
contact pays part of the balance from the portal (``warranty_client.portal``). Exits non-zero
unless every figure adds up.

URLs: BILLING_URL (default http://127.0.0.1:8003) and SANDBOX_URL (default :8009).
"""

from __future__ import annotations

from warranty_client.demo import run_demo
from warranty_client.portal import portal_payment


def main() -> int:
    return run_demo(portal_payment, failed="billing demo failed", hint=True,
                    done="done: the portal payment was applied oldest invoice first")


if __name__ == "__main__":
    raise SystemExit(main())
