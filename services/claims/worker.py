"""Worker entry point: ``python -m services.claims worker``."""

import asyncio

from services.claims.bootstrap import run_claims_worker


def main() -> None:
    asyncio.run(run_claims_worker())
