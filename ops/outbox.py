"""Outbox backlog per service: rows committed but not yet confirmed by the broker."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from services.billing.settings import BillingSettings
from services.claims.settings import ClaimsSettings
from services.payouts.settings import PayoutsSettings
from shared.db import create_engine, create_sessionmaker
from shared.messaging.tables import outbox

SERVICES = {"claims": ClaimsSettings, "payouts": PayoutsSettings, "billing": BillingSettings}


async def backlog() -> list[dict[str, Any]]:
    rows = []
    for name, settings_cls in SERVICES.items():
        engine = create_engine(settings_cls().database_url, pool_size=1)
        try:
            async with create_sessionmaker(engine)() as session:
                pending, oldest, failing = (await session.execute(
                    select(func.count(), func.min(outbox.c.created_at),
                           func.count().filter(outbox.c.publish_attempts > 0))
                    .where(outbox.c.published_at.is_(None))
                )).one()
            age = (datetime.now(UTC) - oldest).total_seconds() if oldest else 0.0
            rows.append({"service": name, "unpublished": pending,
                         "oldest_age_s": round(age, 1), "with_failed_publishes": failing})
        except Exception as exc:
            rows.append({"service": name, "unpublished": "?", "oldest_age_s": "?",
                         "with_failed_publishes": f"database unreachable: {type(exc).__name__}"})
        finally:
            await engine.dispose()
    return rows
