#!/usr/bin/env python3
"""The payouts part of ``make demo`` alone, against the running stack (``make run``): Zelle to
a service pro within 24 hours, and a check returned to sender then paid again
(``warranty_client.payout_rails``). URLs as in ``scripts/demo.py``.
"""

from __future__ import annotations

import asyncio
import sys

import httpx

from warranty_client.http import FlowFailed, Urls
from warranty_client.payout_rails import run_payout_rails


def main() -> int:
    try:
        asyncio.run(run_payout_rails(Urls.from_env()))
    except (FlowFailed, httpx.HTTPError) as exc:
        print(f"demo failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
