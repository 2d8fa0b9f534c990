"""Rail -> everything the payouts service knows about it, in one place: how to build its
client, where its provider calls back and how that callback is read, and its status map.

The bootstrap builds the clients from here and ``api/callbacks.py`` mounts one route per
binding; nothing else needs to know a rail's wire format.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from services.payouts.adapters.bank_auth import TokenSource
from services.payouts.adapters.provider_http import ProviderClient
from services.payouts.domain.model import Rail
from services.payouts.domain.outcomes import Observation
from services.payouts.rails.concourse import callbacks as concourse_callbacks
from services.payouts.rails.concourse.client import ConcourseClient
from services.payouts.rails.concourse.statuses import OBSERVATIONS as CONCOURSE_OBSERVATIONS
from services.payouts.rails.jpm_payments import callbacks as jpm_callbacks
from services.payouts.rails.jpm_payments.client import Debtor, ZelleClient
from services.payouts.rails.jpm_payments.statuses import OBSERVATIONS as JPM_OBSERVATIONS
from services.payouts.rails.lob_checks import callbacks as lob_callbacks
from services.payouts.rails.lob_checks.client import (
    BankAccount,
    BankService,
    LobAccount,
    LobChecksClient,
)
from services.payouts.rails.lob_checks.wire import EVENT_OBSERVATIONS as LOB_OBSERVATIONS
from services.payouts.service.callbacks import ProviderCallback
from services.payouts.settings import PayoutsSettings
from shared.http import DEFAULT_TLS, ClientTls

ClientFactory = Callable[..., ProviderClient]  # (settings, **http options) -> client
CallbackParser = Callable[[bytes], list[ProviderCallback]]


@dataclass(frozen=True, slots=True)
class CallbackDoc:
    """How the callback route is described in the OpenAPI document."""

    summary: str
    description: str
    schema: dict[str, Any]
    example: dict[str, Any]


class CallbackAuth(StrEnum):
    """How a rail's callbacks prove they come from its provider."""

    LOB_SIGNATURE = "lob_signature"  # Lob's webhook HMAC (shared.signing, timestamped)
    JPM_SIGNATURE = "jpm-signature"  # J.P. Morgan's Signature/Key-ID over its published keys


@dataclass(frozen=True, slots=True)
class RailBinding:
    rail: Rail
    client: ClientFactory
    callback_path: str  # under /v1/callbacks
    parse_callbacks: CallbackParser
    observations: Mapping[str, Observation]
    doc: CallbackDoc = field(compare=False, hash=False, kw_only=True)
    # J.P. Morgan's APIs take our OAuth2 bearer token (one source for all of them).
    bank_token: bool = field(default=False, kw_only=True)
    # The rail also calls the bank beside its provider (checks: positive pay at the bank).
    bank_side: bool = field(default=False, kw_only=True)
    callback_auth: CallbackAuth = field(default=CallbackAuth.LOB_SIGNATURE, kw_only=True)


# -- J.P. Morgan Global Payments (Zelle) -----------------------------------------------------


def _zelle_client(settings: PayoutsSettings, **options: Any) -> ProviderClient:
    debtor = Debtor(account_id=settings.jpm_debtor_account_id,
                    bank_bic=settings.jpm_debtor_bank_id, name=settings.jpm_debtor_name)
    return ZelleClient(settings.jpm_payments_url, debtor=debtor, **options)


_JPM_CALLBACK_EXAMPLE = {"callbacks": [{
    "endToEndId": "K3V9Q2M7X1B4C8D5", "firmRootId": "596c0f34-7d7a-4f9b-b6f8-91704a63828a",
    "createDateTime": "2026-01-05T10:00:03.000", "paymentStatus": "REJECTED",
    "exceptions": [{"errorCode": "11000", "errorDescription": "recipient is not enrolled in "
                    "Zelle", "ruleDefinition": "Clearing/Regulatory failure",
                    "externalCode": "BE23"}]}]}

JPM_PAYMENTS = CallbackDoc(
    summary="J.P. Morgan Global Payments status callback (`paymentInitiationStatus`)",
    description="The body of J.P. Morgan's `paymentInitiationStatus` callback (`{client-url}"
    "/status`, `{\"callbacks\": [...]}`). Every status is read: PENDING, PENDING_POSTING and "
    "WAREHOUSED wait; COMPLETED and COMPLETED_CREDITED pay; REJECTED and BLOCKED end the "
    "attempt unpaid with `exceptions[]` (ISO `externalCode`, e.g. BE23: not enrolled, which "
    "may start the configured fallback rail) kept as the attempt's reason; RETURNED returns.",
    schema={"type": "object", "required": ["callbacks"], "properties": {"callbacks": {
        "type": "array", "minItems": 1, "items": {"type": "object",
                                                  "required": ["endToEndId", "paymentStatus"]}}}},
    example=_JPM_CALLBACK_EXAMPLE,
)


# -- Lob checks: printed and mailed by Lob, issued to and paid by the bank ------------------


def _lob_checks_client(settings: PayoutsSettings, *, bank_auth: TokenSource | None = None,
                       bank_tls: ClientTls = DEFAULT_TLS, **options: Any) -> ProviderClient:
    # Lob's webhooks are configured on Lob's dashboard, not per request: no callback URL. The
    # bank's positive-pay service is called as the bank is: its token, its certificate.
    bank_service = BankService(settings.positive_pay_url,
                               **{**options, "auth": bank_auth, "tls": bank_tls})
    return LobChecksClient(
        settings.lob_url,
        account=LobAccount(settings.lob_api_key, settings.lob_bank_account_id,
                           settings.check_return_address),
        bank=BankAccount(settings.check_account_number), bank_service=bank_service,
        **options)


LOB_CHECKS = CallbackDoc(
    summary="Lob check webhook event: mailed, in transit, delivered, returned",
    description="The body is Lob's `event` object (`event_type.id`: check.mailed, "
    "check.in_transit, check.delivered, check.returned_to_sender, ...; `body`: the check with "
    "our `metadata.end_to_end_id`). The printer's events never pay a payout: the bank's "
    "paid-items report does. check.returned_to_sender returns it.",
    schema=lob_callbacks.event_schema(), example=lob_callbacks.EXAMPLE,
)


# -- Concourse (modelled on Global Payments: J.P. Morgan publishes no Concourse API) ---------


def _concourse_client(settings: PayoutsSettings, **options: Any) -> ProviderClient:
    debtor = Debtor(account_id=settings.jpm_debtor_account_id,
                    bank_bic=settings.jpm_debtor_bank_id, name=settings.jpm_debtor_name)
    return ConcourseClient(settings.concourse_base_url, debtor=debtor, **options)


_CONCOURSE_CALLBACK_EXAMPLE = {"callbacks": [{
    "endToEndId": "K3V9Q2M7X1B4C8D5", "firmRootId": "596c0f34-7d7a-4f9b-b6f8-91704a63828a",
    "createDateTime": "2026-01-05T10:00:03.000", "paymentStatus": "INVITATION_EXPIRED",
    "paymentAmount": 125.0, "paymentCurrency": "USD",
    "exceptions": [{"errorCode": "11000", "errorDescription": "unclaimed after 7 days",
                    "ruleDefinition": "Clearing/Regulatory failure", "externalCode": "NOAS"}]}]}

CONCOURSE = CallbackDoc(
    summary="Concourse status callback (modelled on Global Payments' `{\"callbacks\": [...]}`)",
    description="Concourse's wire is modelled (docs/providers/concourse-modelled.yaml): J.P. "
    "Morgan publishes no Concourse API. PENDING, INVITED and REGISTERED (the payee chose ACH "
    "or Zelle, `paymentMethod`) wait; COMPLETED pays; REJECTED, INVITATION_BOUNCED (BE23) and "
    "INVITATION_EXPIRED (NOAS: unclaimed after N days) end the attempt unpaid, and the default "
    "fallback rules pay it by check; CANCELLED (at our request, while unclaimed) cancels it; "
    "RETURNED returns. `paymentAmount` is checked against the attempt.",
    schema={"type": "object", "required": ["callbacks"], "properties": {"callbacks": {
        "type": "array", "minItems": 1, "items": {"type": "object",
                                                  "required": ["endToEndId", "paymentStatus"]}}}},
    example=_CONCOURSE_CALLBACK_EXAMPLE,
)


REGISTRY: dict[Rail, RailBinding] = {
    Rail.CONCOURSE: RailBinding(
        Rail.CONCOURSE, _concourse_client, "/concourse/status",
        concourse_callbacks.parse_callbacks, CONCOURSE_OBSERVATIONS, doc=CONCOURSE,
        bank_token=True, callback_auth=CallbackAuth.JPM_SIGNATURE),
    Rail.ZELLE: RailBinding(
        Rail.ZELLE, _zelle_client, "/jpm/status",
        lambda raw: jpm_callbacks.parse_callbacks(raw, Rail.ZELLE), JPM_OBSERVATIONS,
        doc=JPM_PAYMENTS, bank_token=True, callback_auth=CallbackAuth.JPM_SIGNATURE),
    Rail.CHECK: RailBinding(
        Rail.CHECK, _lob_checks_client, "/check", lob_callbacks.parse_callbacks,
        LOB_OBSERVATIONS, doc=LOB_CHECKS, bank_side=True),
}


def binding(rail: Rail) -> RailBinding:
    return REGISTRY[rail]


def rail_clients(settings: PayoutsSettings, *, bank: TokenSource | None,
                 **options: Any) -> dict[Rail, ProviderClient]:
    """One client per rail, each with the same timeouts and retry policy (``options`` adds or
    overrides, e.g. tests' in-process transport); the J.P. Morgan rails carry ``bank``'s
    bearer token and the bank's client certificate (mutual TLS)."""
    http = {"timeout_s": settings.provider_timeout_s, "retries": settings.provider_retries,
            "backoff_s": settings.provider_backoff_s,
            "max_backoff_s": settings.provider_max_backoff_s, **options}
    return {rail: bound.client(settings, **http, **_bank_options(bound, settings, bank))
            for rail, bound in REGISTRY.items()}


def _bank_options(bound: RailBinding, settings: PayoutsSettings,
                  bank: TokenSource | None) -> dict[str, Any]:
    """A J.P. Morgan rail carries the bank's bearer token and its client certificate; a rail
    that also calls the bank gets them for those calls only."""
    if bound.bank_side:
        return {"auth": None, "bank_auth": bank, "bank_tls": settings.bank_tls}
    if not bound.bank_token:
        return {"auth": None}
    return {"auth": bank, "tls": settings.bank_tls}
