"""Settings base: every process reads its configuration from environment variables.

Names shared by every service carry no prefix (``JWT_SECRET``, ``MESSAGE_TRUSTED_KEYS``, ...); a
service's own settings carry its prefix (``CLAIMS_DATABASE_URL``, ``CLAIMS_AMQP_URL``,
``PAYOUTS_SIGNING_KEY``, ...): each service connects to the broker as its own user and signs
with its own key, even when one environment starts them all (``make run``).
"""

from __future__ import annotations

from typing import Annotated, Literal, Self
from urllib.parse import unquote, urlsplit

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from shared.messaging.signatures import (
    dev_key_id,
    dev_seed,
    dev_trusted_keys,
    encode_private,
    key_service,
    parse_trusted_keys,
)
from shared.messaging.topology import SERVICES

DEV_JWT_SECRET = "dev-only-secret-change-me-in-every-real-deployment"
DEV_VHOST = "warranty"
BROKER = "127.0.0.1:5672"


def dev_broker_password(user: str) -> str:
    """The development password of a platform broker user; refused in production."""
    return f"{user}-dev-broker-password"


def dev_amqp_url(user: str, vhost: str = DEV_VHOST, broker: str = BROKER) -> str:
    return f"amqp://{user}:{dev_broker_password(user)}@{broker}/{vhost}"


def infrastructure_problems(name: str, url: str, *, dev_password: str | None = None) -> list[str]:
    """Why ``url`` (a broker or database URL) must not be used in production; [] if fine."""
    try:
        parts = urlsplit(url)
        user, password = unquote(parts.username or ""), unquote(parts.password or "")
    except ValueError:
        return [f"{name} is not a valid URL"]
    problems = []
    if not user or not password:
        problems.append(f"{name} has no credentials (user and password)")
    if user == "guest":
        problems.append(f"{name} uses the broker's default 'guest' account")
    if dev_password is not None and password == dev_password:
        problems.append(f"{name} uses the development password")
    return problems


class PlatformSettings(BaseSettings):
    """Settings every process shares."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", populate_by_name=True)

    environment: Literal["development", "test", "production"] = Field(
        default="development",
        validation_alias="ENVIRONMENT",
        description="production refuses to start with any default secret or credential-less "
        "infrastructure URL, and refuses to mint development tokens.",
    )
    amqp_url: str = Field(
        default=dev_amqp_url("ops"), validation_alias="AMQP_URL",
        description="The operators' broker account (warranty-ops: parking queues); each "
        "service has its own, <SERVICE>_AMQP_URL.",
    )
    mq_namespace: str = Field(
        default="",
        validation_alias="MQ_NAMESPACE",
        description="Prefix of every exchange and queue name; tests use one per run.",
    )
    # NoDecode: the validator reads the text itself (empty means the development keys).
    trusted_keys: Annotated[dict[str, str], NoDecode] = Field(
        default_factory=lambda: dev_trusted_keys(SERVICES),
        validation_alias="MESSAGE_TRUSTED_KEYS",
        description='The public keys messages are verified with: {"<service>:<name>": '
        '"<base64 Ed25519 public key>"}. Default: the development keys of the three services.',
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
    max_body_bytes: int = Field(
        default=256 * 1024, ge=1024, validation_alias="HTTP_MAX_BODY_BYTES",
        description="The largest request body an API reads (413 past it, refused from the "
        "Content-Length before reading, or as soon as a streamed body exceeds it).",
    )
    max_header_bytes: int = Field(
        default=16 * 1024, ge=4096, validation_alias="HTTP_MAX_HEADER_BYTES",
        description="The largest request head (all header names and values) an API serves; "
        "past it, 431 (under uvicorn's h11 parser a head above 1 MiB, or twice this, is "
        "answered by the server itself with a plain 400).",
    )
    # Only a safety net: the relay LISTENs and wakes on every commit that wrote outbox rows.
    outbox_poll_interval_s: float = Field(default=1.0, gt=0, validation_alias="OUTBOX_POLL_S")

    @field_validator("jwt_secret")
    @classmethod
    def _secret_long_enough(cls, value: str) -> str:
        if len(value) < 32:
            raise ValueError("JWT_SECRET must be at least 32 characters")
        return value

    @field_validator("trusted_keys", mode="before")
    @classmethod
    def _trusted_keys(cls, value: object) -> object:
        if isinstance(value, str):
            # Empty (an unset ${VAR:-} in compose): the development keys, refused in production.
            return parse_trusted_keys(value) if value.strip() else dev_trusted_keys(SERVICES)
        return value

    def body_limit(self, path: str) -> int:
        """The body cap of a request to ``path``; a service with routes of their own size (the
        provider callbacks) narrows it."""
        del path
        return self.max_body_bytes

    def default_secrets(self) -> list[str]:
        """Names of secret settings still at their (public, development) default value."""
        return [
            name
            for name, field in type(self).model_fields.items()
            if "secret" in name and getattr(self, name) == field.default
        ]

    def unfit_for_production(self) -> list[str]:
        """Everything that makes this configuration a development one."""
        problems = [f"{name} is the development default" for name in self.default_secrets()]
        problems += infrastructure_problems("AMQP_URL", self.amqp_url,
                                            dev_password=dev_broker_password("ops"))
        dev_keys = dev_trusted_keys(SERVICES)
        problems += [f"MESSAGE_TRUSTED_KEYS trusts the development key {key_id}"
                     for key_id, public in self.trusted_keys.items()
                     if key_id in dev_keys or public in dev_keys.values()]
        return problems

    def assert_fit_for_environment(self) -> None:
        if self.environment == "production" and (problems := self.unfit_for_production()):
            raise SystemExit("refusing to start in production: " + "; ".join(problems))


class ServiceSettings(PlatformSettings):
    """Settings of one service: its database, its broker account and key, where its API listens.

    ``amqp_url``, ``signing_key`` and ``signing_key_id`` left empty mean the service's
    development values (its own broker user on the ``warranty`` virtual host, its development
    key), which production refuses."""

    service_name: str = "service"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
    amqp_url: str = Field(
        default="",
        description="This service's broker account, e.g. amqp://claims:<password>@host:5672/"
        "warranty. Empty: the development account.",
    )
    signing_key: str = Field(
        default="",
        description="This service's Ed25519 private key (base64 of the 32-byte seed) it signs "
        "its messages with. Empty: the development key.",
    )
    signing_key_id: str = Field(
        default="",
        description="The id of signing_key, '<service>:<name>', as consumers trust it. Empty: "
        "'<service>:dev'.",
    )
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

    @model_validator(mode="after")
    def _development_defaults(self) -> Self:
        self.amqp_url = self.amqp_url or dev_amqp_url(self.service_name)
        self.signing_key = self.signing_key or encode_private(dev_seed(self.service_name))
        self.signing_key_id = self.signing_key_id or dev_key_id(self.service_name)
        if key_service(self.signing_key_id) != self.service_name:
            raise ValueError(f"signing_key_id {self.signing_key_id!r} does not name "
                             f"{self.service_name!r}")
        return self

    def unfit_for_production(self) -> list[str]:
        problems = [p for p in super().unfit_for_production() if not p.startswith("AMQP_URL")]
        problems += infrastructure_problems(
            "AMQP_URL", self.amqp_url, dev_password=dev_broker_password(self.service_name))
        problems += infrastructure_problems("DATABASE_URL", self.database_url)
        if self.signing_key == encode_private(dev_seed(self.service_name)):
            problems.append("SIGNING_KEY is the development key")
        return problems
