"""``POST /v1/callbacks/...``: provider status callbacks, one route per rail binding in the
registry (``services/payouts/rails/registry.py``: the path, how its body is read and how it is
authenticated): J.P. Morgan's rails by the bank's notification signature over its published
keys, the check rail by Lob's webhook signature, an HMAC over the raw body (no JWT: a provider
has none)."""

from __future__ import annotations

import logging
import time
from typing import Any

from fastapi import APIRouter, Request
from pydantic import ValidationError

from services.payouts.adapters.provider_http import ProviderProtocolError
from services.payouts.api.schemas import CallbackAck
from services.payouts.metrics import CALLBACKS
from services.payouts.rails.jpm_payments.notifications import ALGORITHM_HEADER as JPM_ALGORITHM
from services.payouts.rails.jpm_payments.notifications import KEY_ID_HEADER as JPM_KEY_ID
from services.payouts.rails.jpm_payments.notifications import (
    SIGNATURE_HEADER as JPM_SIGNATURE,
)
from services.payouts.rails.jpm_payments.notifications import NotificationKeys
from services.payouts.rails.registry import REGISTRY, CallbackAuth, RailBinding
from services.payouts.service.callbacks import (
    CallbackMismatchError,
    CallbackResult,
    ProviderCallback,
    UnknownAttemptError,
    handle_callback,
)
from services.payouts.service.context import ServiceContext
from services.payouts.settings import PayoutsSettings
from shared.problems import ProblemError, problem_responses
from shared.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify

log = logging.getLogger(__name__)

router = APIRouter(prefix="/v1/callbacks", tags=["provider callbacks"])

_DESCRIPTIONS = {
    CallbackAuth.LOB_SIGNATURE: (
        f"Signed by Lob: `{TIMESTAMP_HEADER}: <unix milliseconds>` and "
        f"`{SIGNATURE_HEADER}: <hex HMAC-SHA256(webhook secret, \"<timestamp>.\" + raw body)>`;"
        " timestamps outside the tolerance are refused. Repeats and out-of-order events "
        "answer 200 without a second effect."),
    CallbackAuth.JPM_SIGNATURE: (
        "Signed by J.P. Morgan: `Signature: <base64 SHA256withECDSA (or SHA256withRSA) of the "
        "raw body>`, `Key-ID: <the signing key>`, `Signing-Algorithm: EC|RSA`, verified with "
        "the bank's public keys (`GET /public-keys`, a JWKS; expired keys refused). Repeats "
        "and out-of-order statuses answer 200 without a second effect."),
}
_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/json": {"example": {"result": "applied"}}}},
    **problem_responses(401, 404, 409, 422),
}


# The callbacks' authentication, for integrators (verified in _receive, not by FastAPI).
_LOB_HEADERS = [
    {"name": SIGNATURE_HEADER, "in": "header", "required": True,
     "description": "Hex HMAC-SHA256 of `<timestamp>.<raw body>` with the webhook's secret "
     "(`PROVIDER_WEBHOOK_SECRET`).", "schema": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
     "example": "3f" * 32},
    {"name": TIMESTAMP_HEADER, "in": "header", "required": True,
     "description": "Unix milliseconds when Lob signed (seconds are read too); refused when "
     "older (or newer) than the tolerance (`PAYOUTS_CALLBACK_TOLERANCE_S`): a replay is "
     "refused.", "schema": {"type": "string", "pattern": "^[0-9]{1,15}$"},
     "example": "1767607203512"},
]


_JPM_HEADERS = [
    {"name": JPM_SIGNATURE, "in": "header", "required": True,
     "description": "Base64 of the signature of the raw body.", "schema": {"type": "string"}},
    {"name": JPM_KEY_ID, "in": "header", "required": True,
     "description": "The `kid` of the bank's key (in its `/public-keys`) that signed.",
     "schema": {"type": "string"}, "example": "6599834191ad40b79a309d7a4702a1db"},
    {"name": JPM_ALGORITHM, "in": "header", "required": True,
     "schema": {"type": "string", "enum": ["EC", "RSA"]}, "example": "EC"},
]
_HEADERS = {CallbackAuth.LOB_SIGNATURE: _LOB_HEADERS, CallbackAuth.JPM_SIGNATURE: _JPM_HEADERS}


def _body_doc(bound: RailBinding) -> dict[str, Any]:
    schema, example = bound.doc.schema, bound.doc.example
    return {"parameters": _HEADERS[bound.callback_auth],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": schema, "example": example}}}}


async def _authentic(request: Request, raw: bytes, bound: RailBinding) -> bool:
    if bound.callback_auth is CallbackAuth.JPM_SIGNATURE:
        keys: NotificationKeys = request.app.state.notification_keys
        return await keys.verify(request.headers, raw)
    settings: PayoutsSettings = request.app.state.settings
    return verify(settings.webhook_secret, request.headers.get(TIMESTAMP_HEADER),
                  request.headers.get(SIGNATURE_HEADER), raw, time.time(),
                  tolerance_s=settings.callback_tolerance_s)


async def _verified(request: Request, raw: bytes, bound: RailBinding) -> None:
    if not await _authentic(request, raw, bound):
        CALLBACKS.labels(bound.rail.value, "bad_signature").inc()
        log.warning("callback with a bad or stale signature refused")
        raise ProblemError(401, "invalid-signature", "Signature not valid",
                           "the callback's signature or timestamp does not verify")


def _parsed(raw: bytes, bound: RailBinding) -> list[ProviderCallback]:
    try:
        return bound.parse_callbacks(raw)
    except (ValidationError, ProviderProtocolError) as exc:
        raise ProblemError(422, "validation-error", "Request is not valid",
                           f"callback body is not valid: {exc}"[:300]) from exc


def _overall(results: list[CallbackResult]) -> CallbackResult:
    """One answer for a body that may announce several payments (J.P. Morgan's list) or none
    of ours (Lob's check.deleted: our DELETE's answer already applied it)."""
    if not results:
        return CallbackResult.IGNORED
    if CallbackResult.APPLIED in results:
        return CallbackResult.APPLIED
    if all(r is CallbackResult.DUPLICATE for r in results):
        return CallbackResult.DUPLICATE
    return CallbackResult.IGNORED


async def _receive(request: Request, bound: RailBinding) -> CallbackAck:
    raw = await request.body()
    await _verified(request, raw, bound)
    app: ServiceContext = request.app.state.context
    results = []
    for callback in _parsed(raw, bound):
        try:
            results.append(await handle_callback(app, callback))
        except UnknownAttemptError as exc:
            raise ProblemError(404, "unknown-end-to-end-id", "Unknown payment",
                               str(exc)) from exc
        except CallbackMismatchError as exc:
            raise ProblemError(409, "callback-mismatch", "Callback does not match the payment",
                               str(exc)) from exc
    return CallbackAck(result=_overall(results))


def _route(bound: RailBinding) -> None:
    async def receive(request: Request) -> CallbackAck:
        return await _receive(request, bound)

    receive.__name__ = f"{bound.rail.value}_callback"
    router.add_api_route(
        bound.callback_path, receive, methods=["POST"], summary=bound.doc.summary,
        description=_DESCRIPTIONS[bound.callback_auth]
        + (" " + bound.doc.description if bound.doc.description else ""),
        response_model=CallbackAck, responses=_RESPONSES,
        openapi_extra=_body_doc(bound),
        name=f"{bound.rail.value}_callback",
    )


for _bound in REGISTRY.values():
    _route(_bound)
