"""Settings base: every process reads its configuration from environment variables.

Names shared by every service carry no prefix (``AMQP_URL``, ``JWT_SECRET``, ...); a service's own
settings carry its prefix (``CLAIMS_DATABASE_URL``, ``PAYOUTS_PORT``, ...).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_JWT_SECRET = "dev-only-secret-change-me-in-every-real-deployment"


class PlatformSettings(BaseSettings):
    """Settings every process shares."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", populate_by_name=True)

    environment: Literal["development", "test", "production"] = Field(
        default="development",
        validation_alias="ENVIRONMENT",
        description="production refuses to start with any default secret and refuses to mint "
        "development tokens.",
    )
    amqp_url: str = Field(
        default="amqp://guest:guest@127.0.0.1:5672/", validation_alias="AMQP_URL"
    )
    mq_namespace: str = Field(
        default="",
        validation_alias="MQ_NAMESPACE",
        description="Prefix of every exchange and queue name; tests use one per run.",
    )
    jwt_secret: str = Field(default=DEV_JWT_SECRET, validation_alias="JWT_SECRET")
    jwt_issuer: str = Field(default="warranty-platform", validation_alias="JWT_ISSUER")
    jwt_audience: str = Field(default="warranty-api", validation_alias="JWT_AUDIENCE")
    log_level: str = Field(default="INFO", validation_alias="LOG_LEVEL")
    prefetch: int = Field(default=16, ge=1, le=1000, validation_alias="MQ_PREFETCH")
    retry_delays_ms: list[int] = Field(
        default=[1000, 5000, 30000],
        validation_alias="MQ_RETRY_DELAYS_MS",
        description="Delay before each redelivery of a failed message; after the last, the "
        "message is parked.",
    )
    delivery_limit: int = Field(
        default=10,
        ge=1,
        validation_alias="MQ_DELIVERY_LIMIT",
        description="Broker-side cap on redeliveries of one message (a handler that crashes "
        "the process); past it the broker dead-letters it to the parking queue.",
    )
    # Only a safety net: the relay LISTENs and wakes on every commit that wrote outbox rows.
    outbox_poll_interval_s: float = Field(default=1.0, gt=0, validation_alias="OUTBOX_POLL_S")

    @field_validator("jwt_secret")
    @classmethod
    def _secret_long_enough(cls, value: str) -> str:
        if len(value) < 32:
            raise ValueError("JWT_SECRET must be at least 32 characters")
        return value


class ServiceSettings(PlatformSettings):
    """Settings of one service: its database, where its API listens."""

    service_name: str = "service"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    host: str = "127.0.0.1"
    port: int = 8000
    worker_metrics_port: int = Field(
        default=0, ge=0, le=65535,
        description="The worker serves its Prometheus metrics on this port (0: off).",
    )
    api_workers: int = Field(
        default=1, ge=1, le=32,
        description="Processes serving the API on its port (more than one: a supervisor and "
        "that many workers, see shared/serve.py).",
    )

    def default_secrets(self) -> list[str]:
        """Names of secret settings still at their (public, development) default value."""
        return [
            name
            for name, field in type(self).model_fields.items()
            if "secret" in name and getattr(self, name) == field.default
        ]

    def assert_fit_for_environment(self) -> None:
        if self.environment == "production" and (defaults := self.default_secrets()):
            raise SystemExit(
                "refusing to start in production with development defaults for: "
                + ", ".join(defaults)
            )
