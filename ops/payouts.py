"""Payouts views for operators: Zelle payouts at risk of the 24-hour promise."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from services.payouts.api.schemas import AtRiskList
from services.payouts.service.context import ServiceContext
from services.payouts.service.queries import payouts_at_risk
from services.payouts.settings import PayoutsSettings
from shared.db import create_engine, create_sessionmaker


async def at_risk(within_hours: float | None, limit: int) -> list[dict[str, Any]]:
    settings = PayoutsSettings()
    engine = create_engine(settings.database_url, pool_size=1)
    try:
        now = datetime.now(UTC)
        hours = within_hours or settings.sla_at_risk_hours
        rows = await payouts_at_risk(ServiceContext(create_sessionmaker(engine), settings),
                                     now + timedelta(hours=hours), limit)
        listing = AtRiskList.of(rows, now).model_dump(mode="json")
        return list(listing["items"])
    finally:
        await engine.dispose()
