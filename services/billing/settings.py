"""Billing settings: ``BILLING_*`` variables + the platform's."""

from __future__ import annotations

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class BillingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="BILLING_", extra="ignore", populate_by_name=True)

    service_name: str = "billing"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/billing"
    port: int = 8003
    # Two API processes: a portal payment is CPU-bound in this API (the allocation and the
    # gateway call), and one process uses one core; see README "Benchmark".
    api_workers: int = Field(default=2, ge=1, le=32)

    gateway_base_url: str = Field(
        default="",
        description="Card/ACH gateway API. Empty: the provider sandbox's gateway on "
        "SANDBOX_PORT (development and the end-to-end stack, which moves the sandbox port).",
    )
    sandbox_port: int = Field(default=8009, validation_alias="SANDBOX_PORT")
    gateway_timeout_s: float = Field(
        default=10, gt=0,
        description="Whole-call deadline of a gateway request. The account stays locked while "
        "a charge is in flight, so this bounds how long a second payment can wait.",
    )
    invoice_terms_days: int = Field(
        default=30, ge=0, le=365,
        description="Due date of a service-fee invoice, in days after the job's dispatch.",
    )

    @model_validator(mode="after")
    def _default_gateway(self) -> BillingSettings:
        if not self.gateway_base_url:
            self.gateway_base_url = f"http://127.0.0.1:{self.sandbox_port}/gateway/v1"
        return self
