#!/usr/bin/env python3
"""The claims flows beyond seed 000 alone, against the running stack (``make run``): BYOP to
the customer by Concourse, BYOP to the service pro by Zelle, a Claim Credit by check
(``warranty_client.claims``). URLs as in ``scripts/demo.py``.
"""

from __future__ import annotations

import asyncio
import sys

import httpx

from warranty_client.claims import run_claims_flows
from warranty_client.http import FlowFailed, Urls


def main() -> int:
    try:
        asyncio.run(run_claims_flows(Urls.from_env()))
    except (FlowFailed, httpx.HTTPError) as exc:
        print(f"claims demo failed: {exc}", file=sys.stderr)
        return 1
    print("done: every claims flow paid exactly once, to the cent")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
