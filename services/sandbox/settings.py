"""Configuration of the provider sandbox, read from ``SANDBOX_*`` environment variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.bank_keys import DEV_CLIENT_ID

DEV_WEBHOOK_SECRET = "dev-sandbox-webhook-secret-0123456789"  # dev only; override in any shared env


class SandboxSettings(BaseSettings):
    """Settings of the sandbox process; every field can also be passed by name in tests."""

    model_config = SettingsConfigDict(
        env_prefix="SANDBOX_",
        env_file=None,
        extra="ignore",
        validate_by_name=True,
        validate_by_alias=True,
    )

    host: str = "127.0.0.1"
    port: int = Field(default=8009, ge=1, le=65535)
    # Payouts reads the same secret as PROVIDER_WEBHOOK_SECRET; accepting that name too lets one
    # variable configure both ends so they cannot drift apart.
    webhook_secret: str = Field(
        default=DEV_WEBHOOK_SECRET,
        min_length=16,
        validation_alias=AliasChoices("SANDBOX_WEBHOOK_SECRET", "PROVIDER_WEBHOOK_SECRET"),
        description="Lob's webhook secret: the HMAC-SHA256 key of Lob's callback signature.",
    )
    database_url: str = Field(
        default="postgresql+asyncpg://postgres@127.0.0.1:5432/sandbox",
        description="The sandbox's own database: its payments, the bank's check records, the "
        "card gateway's charges, payee behaviours and its clock survive a restart (python -m "
        "services.sandbox migrate).")
    db_pool_size: int = Field(default=10, ge=1, le=100)
    client_id: str = Field(
        default=DEV_CLIENT_ID, description="The OAuth2 client id whose assertions the token "
        "endpoint accepts (iss and sub).")
    client_public_key_file: Path | None = Field(
        default=None, description="PEM public key the client assertion must verify with. "
        "Unset: the development key pair's (shared/bank_keys.py).")
    token_lifetime_s: int = Field(default=300, ge=1, le=3600,
                                  description="Lifetime of an issued bearer token.")
    settle_delay_ms: int = Field(
        default=300,
        ge=0,
        description="Time from payment creation until the simulated payee registers and is "
        "paid by ACH.",
    )
    concourse_unclaimed_days: int = Field(
        default=7, ge=1, le=90,
        description="A Concourse invitation nobody claims expires (INVITATION_EXPIRED, NOAS) "
        "after this many days (sandbox clock); the payer's fallback pays by check.",
    )
    check_mail_after_days: int = Field(
        default=1, ge=0, le=30,
        description="A check is mailed this long after it is created (the send date); it can "
        "be voided until then and only stopped afterwards.",
    )
    check_delivery_days: int = Field(default=5, ge=1, le=30, description="Mailing to delivery.")
    check_cash_after_days: int = Field(
        default=2, ge=0, le=60, description="Delivery to cashing (a payee who cashes)."
    )
    lob_webhook_url: str = Field(
        default="http://127.0.0.1:8002/v1/callbacks/check",
        description="Where Lob's check events are POSTed (Lob: a webhook set up in its "
        "dashboard, not per request).")
    tick_ms: int = Field(
        default=50, ge=5, le=5000,
        description="How often due steps of multi-day payments are applied.",
    )
    callback_retries: int = Field(
        default=5,
        ge=0,
        description="Retries of a callback after the first attempt failed (connection error or "
        "non-2xx).",
    )
    callback_backoff_ms: int = Field(
        default=200,
        ge=0,
        description="Delay before the first retry; it doubles for every further retry.",
    )
    callback_timeout_s: float = Field(default=5.0, gt=0)
    jpm_client_url: str = Field(
        default="http://127.0.0.1:8002/v1/callbacks/jpm",
        pattern=r"^https?://",
        description="The client URL registered with J.P. Morgan: its paymentInitiationStatus "
        "callbacks are POSTed to <client-url>/status (a payment request names no URL).",
    )
    concourse_client_url: str = Field(
        default="http://127.0.0.1:8002/v1/callbacks/concourse",
        pattern=r"^https?://",
        description="The client URL registered for Concourse (modelled like Global Payments): "
        "its callbacks are POSTed to <client-url>/status.",
    )
    log_level: str = Field(
        default="INFO", validation_alias=AliasChoices("SANDBOX_LOG_LEVEL", "LOG_LEVEL")
    )
