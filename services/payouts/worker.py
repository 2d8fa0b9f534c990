"""Worker entry point: ``python -m services.payouts worker``."""

import asyncio

from services.payouts.bootstrap import run_payouts_worker


def main() -> None:
    asyncio.run(run_payouts_worker())
