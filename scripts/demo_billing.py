#!/usr/bin/env python3
"""The billing demo (seed 002) alone, against the running stack (``make run``): a company
contact pays part of the balance from the portal (``warranty_client.portal``). Exits non-zero
unless every figure adds up.

URLs: BILLING_URL (default http://127.0.0.1:8003) and SANDBOX_URL (default :8009).
"""

from __future__ import annotations

import asyncio
import sys

import httpx

from warranty_client.http import FlowFailed, Urls
from warranty_client.portal import portal_payment


def main() -> int:
    try:
        asyncio.run(portal_payment(Urls.from_env()))
    except (FlowFailed, httpx.HTTPError) as exc:
        print(f"billing demo failed: {exc}", file=sys.stderr)
        print("is the stack running? start it with `make run` in another terminal",
              file=sys.stderr)
        return 1
    print("done: the portal payment was applied oldest invoice first")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
