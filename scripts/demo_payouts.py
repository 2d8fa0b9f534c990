#!/usr/bin/env python3
"""The payouts part of ``make demo`` alone, against the running stack (``make run``): Zelle to
a service pro within 24 hours, and a check returned to sender then paid again
(``warranty_client.payout_rails``). URLs as in ``scripts/demo.py``.
"""

from __future__ import annotations

from warranty_client.demo import run_demo
from warranty_client.payout_rails import run_payout_rails


def main() -> int:
    return run_demo(run_payout_rails)


if __name__ == "__main__":
    raise SystemExit(main())
