"""``python -m services.payouts reconcile [--json]``: the reconciliation report in a terminal;
exit status 1 when there is any mismatch (so a cron job or CI can alert on it), 2 when the
ledger cannot be read."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

import httpx

from services.payouts.adapters.ledger import fetch_ledger
from services.payouts.api.schemas import ReconciliationReport
from services.payouts.service.context import ServiceContext
from services.payouts.service.reconcile import run_reconciliation
from services.payouts.settings import PayoutsSettings
from shared.db import create_engine, create_sessionmaker
from shared.logging import configure_logging


async def _report(settings: PayoutsSettings) -> ReconciliationReport:
    engine = create_engine(settings.database_url, pool_size=1)
    try:
        app = ServiceContext(create_sessionmaker(engine), settings)
        report = await run_reconciliation(
            app, lambda: fetch_ledger(settings.provider_ledger_url,
                                       timeout_s=settings.provider_timeout_s))
        return ReconciliationReport.of(report)
    finally:
        await engine.dispose()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.payouts reconcile",
                                     description="Compare payouts with the provider ledger.")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    settings = PayoutsSettings()
    configure_logging("payouts", settings.log_level)
    try:
        report = asyncio.run(_report(settings))
    except httpx.HTTPError as exc:
        print(f"cannot read the provider ledger at {settings.provider_ledger_url}: {exc!r}",
              file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report.model_dump(mode="json"), indent=2))
    else:
        print(f"{report.attempts} attempts, {report.ledger_entries} ledger entries, "
              f"{len(report.mismatches)} mismatch(es)")
        for m in report.mismatches:
            print(f"  {m.kind.value:<17} {m.rail:<9} {m.end_to_end_id:<16} {m.detail}")
    return 0 if report.clean else 1
