"""Each service's OpenAPI document is valid OpenAPI 3 and describes every operation."""

import json
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from services.billing.bootstrap import create_app as billing_app
from services.claims.bootstrap import create_app as claims_app
from services.payouts.bootstrap import create_app as payouts_app
from services.sandbox.app import create_app as sandbox_app

APPS: dict[str, Callable[[], FastAPI]] = {
    "claims": claims_app, "payouts": payouts_app, "billing": billing_app,
    "sandbox": sandbox_app,
}


@pytest.fixture(scope="module", params=sorted(APPS))
def document(request: pytest.FixtureRequest) -> dict[str, Any]:
    return APPS[request.param]().openapi()


def test_document_is_valid_openapi(document: dict[str, Any]) -> None:
    validate(document)


def test_every_operation_has_a_summary_and_tags(document: dict[str, Any]) -> None:
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert operation.get("summary"), f"{method.upper()} {path} has no summary"
            assert operation.get("tags"), f"{method.upper()} {path} has no tags"


# The sandbox's stand-in for Lob serves Lob's own paths (/v1/checks) and answers Lob's error
# envelope ({"error": {...}}), not problem+json: it is a provider contract, held to Lob's
# specification by tests/contracts/test_lob_checks.py, not one of our APIs.
PROVIDER_CONTRACT_PATHS = ("/v1/checks",)


def test_v1_errors_are_documented_as_problem_details(document: dict[str, Any]) -> None:
    for path, operations in document["paths"].items():
        if not path.startswith("/v1/") or path.startswith(PROVIDER_CONTRACT_PATHS):
            continue
        for method, operation in operations.items():
            errors = {k: v for k, v in operation["responses"].items() if k.startswith(("4", "5"))}
            assert errors, f"{method.upper()} {path} documents no error"
            for status, response in errors.items():
                assert "application/problem+json" in response.get("content", {}), (
                    f"{method.upper()} {path} {status} is not documented as problem details"
                )


# --- What an integrator codes against: examples, auth, problem details, idempotency. ---

PROBLEM_REF = "#/components/schemas/Problem"
# Provider callbacks authenticate with an HMAC signature, not a bearer token.
SIGNED_CALLBACKS = "/v1/callbacks/"
# POSTs that move money take an Idempotency-Key, so a client's retry gets the first answer
# (path -> whether the key is required; optional where a repeat without one is a safe 409).
MONEY_MOVING = {
    "claims": {"/v1/claims/{claim_id}/approve": True,
               "/v1/byop-jobs/{job_id}/payment-request": False},
    "billing": {"/v1/accounts/{account_id}/payments": True,
                "/v1/payments/{payment_id}/refund": False},
    "payouts": {f"/v1/payouts/{{payout_id}}/{action}": True
                for action in ("approve", "reject", "cancel", "void", "stop")},
}


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method.upper(), path, operation)
            for path, ops in document["paths"].items() for method, operation in ops.items()]


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = document["components"]["schemas"][name]
    return schema


def has_example(document: dict[str, Any], media: dict[str, Any]) -> bool:
    """An example on the media type, or on the (referenced) schema, or on an array's items."""
    if media.get("example") is not None or media.get("examples"):
        return True
    schema = resolve(document, media.get("schema", {}))
    if schema.get("type") == "array":
        schema = resolve(document, schema.get("items", {}))
    if schema.get("example") is not None or schema.get("examples"):
        return True
    # A model whose every required field carries an example shows a whole body.
    properties = schema.get("properties", {})
    required = schema.get("required", [])
    return bool(required) and all(
        "examples" in properties[name] or "example" in properties[name]
        or ("$ref" in properties[name] and has_example(document, {"schema": properties[name]}))
        for name in required
    )


@pytest.fixture(scope="module", params=["claims", "payouts", "billing"])
def service_document(request: pytest.FixtureRequest) -> tuple[str, dict[str, Any]]:
    return request.param, APPS[request.param]().openapi()


def test_every_v1_operation_declares_its_authentication(
    service_document: tuple[str, dict[str, Any]],
) -> None:
    _, document = service_document
    schemes = document["components"]["securitySchemes"]
    assert schemes["HTTPBearer"] == {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                                     "description": schemes["HTTPBearer"]["description"]}
    for method, path, operation in operations(document):
        if not path.startswith("/v1/"):
            continue
        if path.startswith(SIGNED_CALLBACKS):
            headers = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
            # Lob's webhook signature, or J.P. Morgan's notification signature on its rails.
            assert {"Lob-Signature", "Lob-Signature-Timestamp"} <= headers or \
                {"Signature", "Key-ID", "Signing-Algorithm"} <= headers, f"{method} {path}"
            assert "security" not in operation, f"{method} {path}"
        else:
            assert operation.get("security") == [{"HTTPBearer": []}], f"{method} {path}"
            assert "401" in operation["responses"], f"{method} {path} does not document 401"


def test_every_body_and_answer_has_an_example(
    service_document: tuple[str, dict[str, Any]],
) -> None:
    _, document = service_document
    missing = []
    for method, path, operation in operations(document):
        if not path.startswith("/v1/"):
            continue
        body = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if body is not None and not has_example(document, body):
            missing.append(f"{method} {path} request")
        for status, response in operation["responses"].items():
            media = response.get("content", {}).get("application/json")
            if status.startswith("2") and media is not None and not has_example(document, media):
                missing.append(f"{method} {path} {status}")
    assert missing == []


def test_every_error_is_a_problem_details_schema_with_an_example(
    service_document: tuple[str, dict[str, Any]],
) -> None:
    _, document = service_document
    for method, path, operation in operations(document):
        for status, response in operation["responses"].items():
            if not status.startswith(("4", "5")):
                continue
            media = response.get("content", {}).get("application/problem+json")
            assert media is not None, f"{method} {path} {status}"
            assert media["schema"] == {"$ref": PROBLEM_REF}, f"{method} {path} {status}"
            assert media["example"]["status"] == int(status), f"{method} {path} {status}"
        if "requestBody" in operation or operation.get("parameters"):
            assert "422" in operation["responses"], f"{method} {path}: input is never invalid?"
        if "requestBody" in operation:
            assert "400" in operation["responses"], f"{method} {path}: malformed body"
        if path.startswith("/v1/"):  # the database may refuse connections on any of them
            unavailable = operation["responses"].get("503", {})
            assert "Retry-After" in unavailable.get("headers", {}), f"{method} {path}: no 503"
            assert "database-unavailable" in json.dumps(unavailable), f"{method} {path}"


def test_money_moving_posts_take_an_idempotency_key(
    service_document: tuple[str, dict[str, Any]],
) -> None:
    service, document = service_document
    for path, required in MONEY_MOVING.get(service, {}).items():
        parameters = document["paths"][path]["post"].get("parameters", [])
        header = [p for p in parameters if p["in"] == "header" and p["name"] == "Idempotency-Key"]
        assert header, f"POST {path} takes no Idempotency-Key"
        assert header[0]["required"] is required, f"POST {path}: Idempotency-Key required?"
        assert header[0].get("description"), f"POST {path}: Idempotency-Key is not described"
        assert header[0].get("example") or header[0]["schema"].get("examples"), (
            f"POST {path}: Idempotency-Key has no example")


def test_every_example_fits_its_schema(service_document: tuple[str, dict[str, Any]]) -> None:
    _, document = service_document
    wrong = []
    for method, path, operation in operations(document):
        media = [("request", operation.get("requestBody", {}).get("content", {}))]
        media += [(status, r.get("content", {})) for status, r in operation["responses"].items()]
        for where, content in media:
            for media_type, item in content.items():
                if "example" not in item or "schema" not in item:
                    continue
                # Refs are "#/components/...": resolve them within a root that carries them.
                validator = Draft202012Validator(
                    {**item["schema"], "components": document["components"]},
                    format_checker=Draft202012Validator.FORMAT_CHECKER,
                )
                errors = [e.message for e in validator.iter_errors(item["example"])]
                if errors:
                    wrong.append(f"{method} {path} {where} {media_type}: {errors[:2]}")
    assert wrong == []
