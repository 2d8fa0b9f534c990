"""Worker entry point: ``python -m services.billing worker``."""

import asyncio

from services.billing.bootstrap import run_billing_worker


def main() -> None:
    asyncio.run(run_billing_worker())
