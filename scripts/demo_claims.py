#!/usr/bin/env python3
"""The claims flows beyond seed 000 alone, against the running stack (``make run``): BYOP to
the customer by Concourse, BYOP to the service pro by Zelle, a Claim Credit by check
(``warranty_client.claims``). URLs as in ``scripts/demo.py``.
"""

from __future__ import annotations

from warranty_client.claims import run_claims_flows
from warranty_client.demo import run_demo


def main() -> int:
    return run_demo(run_claims_flows, failed="claims demo failed",
                    done="done: every claims flow paid exactly once, to the cent")


if __name__ == "__main__":
    raise SystemExit(main())
