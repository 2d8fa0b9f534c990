"""Payouts settings: ``PAYOUTS_*`` variables + the platform's; the webhook secret is shared with
the provider sandbox as ``PROVIDER_WEBHOOK_SECRET``."""

from __future__ import annotations

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings

DEV_WEBHOOK_SECRET = "dev-sandbox-webhook-secret-0123456789"


class PayoutsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PAYOUTS_", extra="ignore", populate_by_name=True)

    service_name: str = "payouts"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/payouts"
    port: int = 8002

    concourse_base_url: str = "http://127.0.0.1:8009/concourse/v1"
    callback_base_url: str = Field(
        default="http://127.0.0.1:8002",
        description="Public base URL of this API; providers POST callbacks under it.",
    )
    webhook_secret: str = Field(
        default=DEV_WEBHOOK_SECRET,
        min_length=16,
        validation_alias="PROVIDER_WEBHOOK_SECRET",
        description="HMAC-SHA256 key the provider signs its callbacks with.",
    )
    callback_tolerance_s: int = Field(default=300, ge=1)

    submit_lease_s: float = Field(
        default=30, gt=0,
        description="How long a 'sending' attempt belongs to the worker that created it; after "
        "that the recovery loop assumes the worker died and resolves it by status query. A "
        "lease that runs out under a worker still retrying is safe (both use the same "
        "endToEndId and every result goes through the row-locked transition table); it only "
        "costs an extra status query.",
    )
    poll_interval_s: float = Field(
        default=5, gt=0,
        description="A submitted or unknown attempt is checked with the provider after this "
        "long without news (lost callbacks); the delay doubles per check up to the maximum.",
    )
    poll_max_interval_s: float = Field(default=900, gt=0)
    dispatch_interval_s: float = Field(default=0.2, gt=0)
    recovery_interval_s: float = Field(default=1.0, gt=0)
    dispatch_batch: int = Field(default=10, ge=1, le=100)

    provider_timeout_s: float = Field(default=10, gt=0)
    provider_retries: int = Field(
        default=3, ge=0, le=10, description="Retries after a 5xx/429 answer (same endToEndId)."
    )
    provider_backoff_s: float = Field(default=0.5, ge=0)
    provider_max_backoff_s: float = Field(default=5, ge=0)

    worker_metrics_port: int = Field(
        default=0, ge=0, le=65535,
        description="Serve the worker's Prometheus metrics on this port (0: off).",
    )

    @model_validator(mode="after")
    def _poll_bounds(self) -> PayoutsSettings:
        if self.poll_max_interval_s < self.poll_interval_s:
            raise ValueError("poll_max_interval_s must be at least poll_interval_s")
        return self

    @property
    def concourse_callback_url(self) -> str:
        return self.callback_base_url.rstrip("/") + "/v1/callbacks/concourse"
