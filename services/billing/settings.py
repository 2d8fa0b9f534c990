"""Billing settings: ``BILLING_DATABASE_URL``, ``BILLING_HOST``, ``BILLING_PORT`` + platform."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class BillingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="BILLING_", extra="ignore", populate_by_name=True)

    service_name: str = "billing"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/billing"
    port: int = 8003
