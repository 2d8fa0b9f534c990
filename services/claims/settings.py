"""Claims settings: ``CLAIMS_DATABASE_URL``, ``CLAIMS_PORT``, ``CLAIMS_APPROVAL_LIMIT``, ...
plus the platform's shared ones (``AMQP_URL``, ``JWT_SECRET``, ...)."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from shared.money import MoneyError, parse_amount
from shared.settings import ServiceSettings


class ClaimsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CLAIMS_", extra="ignore", populate_by_name=True)

    service_name: str = "claims"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/claims"
    port: int = 8001
    approval_limit: Decimal = Field(
        default=Decimal("1000.00"),
        description="The most a non-supervisor may approve on one claim; above it a supervisor "
        "(role ops) approves with an override.",
    )
    job_expiry_interval_s: float = Field(
        default=60.0, gt=0, description="How often the worker expires New jobs past 24 h."
    )

    @field_validator("approval_limit", mode="before")
    @classmethod
    def _valid_amount(cls, value: object) -> Decimal:
        try:
            return parse_amount(value)
        except MoneyError as exc:
            raise ValueError(str(exc)) from exc
