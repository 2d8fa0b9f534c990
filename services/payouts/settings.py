"""Payouts settings: ``PAYOUTS_*`` variables + the platform's; the webhook secret is shared with
the provider sandbox as ``PROVIDER_WEBHOOK_SECRET``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time
from decimal import Decimal
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from services.payouts.adapters.bank_auth import BankCredentials
from services.payouts.domain.execution_dates import RailSchedule, schedules_with
from services.payouts.domain.model import Rail
from services.payouts.domain.validation import FallbackRule
from shared.bank_keys import DEV_ALG, DEV_CLIENT_ID, DEV_KEY_ID, DEV_SCOPE, dev_private_key_pem
from shared.http import ClientTls, TlsConfigError, ssl_context
from shared.settings import ServiceSettings

DEV_WEBHOOK_SECRET = "dev-sandbox-webhook-secret-0123456789"


CALLBACKS_PREFIX = "/v1/callbacks/"
# Hosts of the provider sandbox (ours, in development and compose, and J.P. Morgan's own mock):
# a rail there may run on the development client credentials.
SANDBOX_HOSTS = ("127.0.0.1", "localhost", "sandbox", "api-mock.payments.jpmorgan.com")


class PayoutsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PAYOUTS_", extra="ignore", populate_by_name=True)

    service_name: str = "payouts"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/payouts"
    port: int = 8002

    concourse_base_url: str = Field(
        default="http://127.0.0.1:8009/tsapi/v1/concourse",
        description="Concourse (modelled on J.P. Morgan Global Payments v1), ending in "
        "/tsapi/v1/concourse; its host is also the sandbox's for the other rails' defaults.")
    jpm_payments_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("PAYOUTS_JPM_PAYMENTS_BASE_URL",
                                                    "PAYOUTS_ZELLE_BASE_URL"),
        description="J.P. Morgan Global Payments v1 (Zelle), ending in /tsapi/v1, e.g. "
        "https://apigatewaycat.jpmorgan.com/tsapi/v1; default: the Concourse host's /tsapi/v1 "
        "(the sandbox serves every rail). PAYOUTS_ZELLE_BASE_URL is read too.")
    jpm_debtor_account_id: str = Field(
        default="000009102574986", min_length=1, max_length=128,
        description="Our operating account at J.P. Morgan (debtor.debtorAccount.accountId).")
    jpm_debtor_bank_id: str = Field(
        default="CHASUS33", min_length=8, max_length=11,
        description="The debtor agent's BIC (debtorAgent.financialInstitutionId.bic).")
    jpm_debtor_name: str | None = Field(
        default="Home Warranty Payouts", max_length=140,
        description="debtor.debtorName, as the payee sees the payer.")
    lob_base_url: str | None = Field(
        default=None, description="Lob's print-and-mail API (``https://api.lob.com/v1``); "
        "default: the Concourse host's /v1 (the sandbox serves Lob's paths).")
    lob_api_key: str = Field(
        default="test_sandbox_lob_key", min_length=8,
        description="Lob API key, sent as the HTTP basic username (Lob's documented auth).")
    lob_bank_account_id: str = Field(
        default="bank_8cad8df5354d33f", pattern=r"^bank_[a-zA-Z0-9]+$",
        description="Lob's id of our verified bank account that checks are drawn on.")
    check_return_address: dict[str, str] = Field(
        default={"company": "Homeward Warranty Co", "address_line1": "100 N Riverside Plaza",
                 "address_city": "Chicago", "address_state": "IL", "address_zip": "60606"},
        description="The checks' ``from`` (Lob's inline_address_us).")
    positive_pay_base_url: str | None = Field(
        default=None, description="The bank's positive-pay service (issue records, stop "
        "payments, paid-items report; modelled, docs/positive-pay.md); default: the Concourse "
        "host's /positive-pay/v1.")
    check_account_number: str = Field(
        default="000123456789", pattern=r"^\d{4,17}$",
        description="Our account number at the bank, as the positive-pay records carry it.")
    check_first_number: int = Field(
        default=10001, ge=1, le=500_000_000,
        description="The first check number of the account's sequence (Lob's limit: 500M).")
    check_send_delay_days: int = Field(
        default=1, ge=1, le=180, description="A check's send date is this many days after "
        "it is issued: until then Lob can cancel it (DELETE); after it, only a stop payment.")
    check_stale_days: int = Field(
        default=14, ge=1, le=180, description="A check not paid this many days after its send "
        "date (payouts clock) gets a stop payment, then a reissue (within check_max_issues).")
    check_stop_renew_days: int = Field(
        default=14, ge=1, le=90, description="A stop payment is renewed this many days before "
        "it expires (payouts clock), so a stopped check never becomes payable again.")
    checks_interval_s: float = Field(
        default=60, gt=0, description="How often the paid-items report and the no-cash rule "
        "are checked.")
    ledger_url: str | None = Field(
        default=None, description="The provider ledger reconciliation compares with; default: "
        "the Concourse host's /ledger (the sandbox's).")
    fallback_rules: list[str] = Field(
        default=["zelle:BE23>check", "concourse:BE23>check", "concourse:NOAS>check"],
        description="'<rail>:<reason code>><rail>': a payment rejected on the first rail with "
        "that ISO reason code ('*': any) is paid on the second, if the payout can be (a check "
        "needs an address). A new attempt starts only after the rejection is confirmed.",
    )
    check_max_issues: int = Field(
        default=3, ge=1, le=10,
        description="A check stopped as stale (not cashed in time) is reissued until this many "
        "checks were issued; then the payout ends unclaimed.",
    )
    check_expiry_days: int = Field(
        default=180, ge=30, le=3650,
        description="No check is reissued once the payout's first check is this old (the "
        "checks' printed void-after period): the payout ends unclaimed (escheatment).")
    zelle_sla_hours: float = Field(
        default=24, gt=0, description="A Zelle payout to a service pro is promised within this.")
    sla_at_risk_hours: float = Field(
        default=4, gt=0, description="Unpaid within this of the deadline: listed as at risk.")
    sla_interval_s: float = Field(default=5, gt=0, description="How often breaches are checked.")
    approval_threshold: Decimal = Field(
        default=Decimal("10000.00"), gt=0,
        description="A payout above this needs a payables approver (not the requester).")
    approval_first_payout: bool = Field(
        default=False, description="The first payout to a payee never paid before needs "
        "approval.")
    approval_payee_changed_days: int = Field(
        default=0, ge=0, description="A payout to a payee whose details (email, phone, address, "
        "Zelle token) changed within this many days needs approval (0: rule off).")
    callback_base_url: str = Field(
        default="http://127.0.0.1:8002",
        description="Public base URL of this API; providers POST callbacks under it.",
    )
    webhook_secret: str = Field(
        default=DEV_WEBHOOK_SECRET,
        min_length=16,
        validation_alias="PROVIDER_WEBHOOK_SECRET",
        description="Lob's webhook secret: the HMAC-SHA256 key of the check rail's callbacks.",
    )
    callback_tolerance_s: int = Field(default=300, ge=1)
    callback_max_body_bytes: int = Field(
        default=64 * 1024, ge=1024,
        description="The largest provider callback read (a status event is well under 2 KiB); "
        "413 past it, before the signature is checked.")

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
    bank_notification_keys_url: str | None = Field(
        default=None,
        description="J.P. Morgan's `/public-keys` (JWKS) that verifies its callbacks' "
        "`Signature`; default: `/public-keys` on the Concourse host.",
    )
    bank_token_url: str | None = Field(
        default=None, description="J.P. Morgan's OAuth2 token endpoint (client credentials, "
        "RFC 7523 client assertion); default: the Concourse host's /oauth2/token (the "
        "sandbox's). Also the assertion's audience.")
    bank_client_id: str = Field(
        default="", description="Our OAuth2 client id at J.P. Morgan (the assertion's iss and "
        "sub). Empty: the development client, which production refuses for a live rail.")
    bank_private_key_file: Path | None = Field(
        default=None, description="PEM private key the client assertion is signed with (RSA "
        "for RS256/PS256, P-256 for ES256). Unset: the development key (shared/bank_keys.py).")
    bank_key_id: str = Field(
        default="", description="The kid of bank_private_key_file, as registered with the "
        "bank. Empty: the development key's.")
    bank_scope: str = Field(default="", description="OAuth2 scope asked for. Empty: the "
                            "development scope.")
    bank_assertion_alg: Literal["ES256", "RS256", "PS256"] = DEV_ALG
    bank_client_cert_file: Path | None = Field(
        default=None, description="PEM client certificate presented to J.P. Morgan (mutual "
        "TLS) on the Concourse, Zelle and token calls, with its intermediates after it. Unset: "
        "no client certificate, which production refuses for a live rail.")
    bank_client_key_file: Path | None = Field(
        default=None, description="Unencrypted PEM private key of bank_client_cert_file.")
    bank_ca_file: Path | None = Field(
        default=None, description="PEM CA bundle the bank's server certificates must chain to, "
        "instead of certifi's (a bank's private CA). Unset: certifi.")
    bank_token_refresh_ahead_s: float = Field(
        default=60, ge=0, description="A token is replaced this long before it expires.")
    ach_cutoff: time = Field(
        default=time(17, 0),
        description="The bank's ACH cut-off, New York time (HH:MM): an ACH or Concourse "
        "payment sent at or after it is dated (requestedExecutionDate) the next Federal "
        "Reserve business day. Zelle has none: it executes the same day, any day.")


    @property
    def notification_keys_url(self) -> str:
        """Where J.P. Morgan publishes the public keys its callbacks are signed with."""
        return self.bank_notification_keys_url or self._sibling("/public-keys")

    @property
    def token_url(self) -> str:
        return self.bank_token_url or self._sibling("/oauth2/token")

    def bank_credentials(self) -> BankCredentials:
        """The client credentials of the J.P. Morgan rails (the development ones where unset)."""
        key = (self.bank_private_key_file.read_bytes() if self.bank_private_key_file
               else dev_private_key_pem())
        return BankCredentials(
            token_url=self.token_url, client_id=self.bank_client_id or DEV_CLIENT_ID,
            private_key_pem=key, key_id=self.bank_key_id or DEV_KEY_ID,
            scope=self.bank_scope or DEV_SCOPE, alg=self.bank_assertion_alg)

    @property
    def bank_tls(self) -> ClientTls:
        """The TLS of every J.P. Morgan call (rails and token); certifi only where unset."""
        return ClientTls(self.bank_client_cert_file, self.bank_client_key_file, self.bank_ca_file)

    def bank_tls_problems(self) -> list[str]:
        """What makes the bank's certificate files unusable, checked before anything starts."""
        try:
            ssl_context(self.bank_tls)
        except TlsConfigError as exc:
            return [f"PAYOUTS_BANK_CLIENT_CERT_FILE / _KEY_FILE / PAYOUTS_BANK_CA_FILE: {exc}"]
        return []

    def assert_fit_for_environment(self) -> None:
        super().assert_fit_for_environment()
        # In every environment: a certificate set but unusable fails at start, not at the first
        # payment (where it would only show as connect errors).
        if problems := self.bank_tls_problems():
            raise SystemExit("refusing to start: " + "; ".join(problems))

    def live_bank_rails(self) -> list[str]:
        """The J.P. Morgan rails whose base URL is not a sandbox: they move real money."""
        urls = {"concourse": self.concourse_base_url, "zelle": self.jpm_payments_url}
        return [rail for rail, url in urls.items()
                if urlsplit(url).hostname not in SANDBOX_HOSTS]

    def unfit_for_production(self) -> list[str]:
        problems = super().unfit_for_production()
        live = self.live_bank_rails()
        if not live:
            return problems
        required = {"BANK_TOKEN_URL": self.bank_token_url, "BANK_CLIENT_ID": self.bank_client_id,
                    "BANK_PRIVATE_KEY_FILE": self.bank_private_key_file,
                    "BANK_KEY_ID": self.bank_key_id, "BANK_SCOPE": self.bank_scope,
                    # J.P. Morgan's hosts accept only mutual TLS connections.
                    "BANK_CLIENT_CERT_FILE": self.bank_client_cert_file,
                    "BANK_CLIENT_KEY_FILE": self.bank_client_key_file}
        problems += [f"PAYOUTS_{name} is unset for the live J.P. Morgan rail(s) "
                     f"{', '.join(live)}" for name, value in required.items() if not value]
        return problems

    @model_validator(mode="after")
    def _poll_bounds(self) -> PayoutsSettings:
        if self.poll_max_interval_s < self.poll_interval_s:
            raise ValueError("poll_max_interval_s must be at least poll_interval_s")
        return self

    def body_limit(self, path: str) -> int:
        if path.startswith(CALLBACKS_PREFIX):
            return self.callback_max_body_bytes
        return super().body_limit(path)

    @field_validator("fallback_rules")
    @classmethod
    def _rules_parse(cls, rules: list[str]) -> list[str]:
        for rule in rules:
            FallbackRule.parse(rule)  # a typo fails at start, not at the first rejection
        return rules

    def callback_url(self, rail: str) -> str:
        return self.callback_base_url.rstrip("/") + f"/v1/callbacks/{rail}"

    def _sibling(self, path: str) -> str:
        parts = urlsplit(self.concourse_base_url)
        return f"{parts.scheme}://{parts.netloc}{path}"

    @property
    def jpm_payments_url(self) -> str:
        return self.jpm_payments_base_url or self._sibling("/tsapi/v1")

    @property
    def lob_url(self) -> str:
        return self.lob_base_url or self._sibling("/v1")

    @property
    def positive_pay_url(self) -> str:
        return self.positive_pay_base_url or self._sibling("/positive-pay/v1")

    @property
    def provider_ledger_url(self) -> str:
        return self.ledger_url or self._sibling("/ledger")

    @property
    def execution_schedules(self) -> Mapping[Rail, RailSchedule]:
        return schedules_with(self.ach_cutoff)

    @property
    def fallbacks(self) -> tuple[FallbackRule, ...]:
        return tuple(FallbackRule.parse(rule) for rule in self.fallback_rules)
