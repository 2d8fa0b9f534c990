"""Each service's OpenAPI document is valid OpenAPI 3 and describes every operation."""

from collections.abc import Callable
from typing import Any

import pytest
from fastapi import FastAPI
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


def test_v1_errors_are_documented_as_problem_details(document: dict[str, Any]) -> None:
    for path, operations in document["paths"].items():
        if not path.startswith("/v1/"):
            continue
        for method, operation in operations.items():
            errors = {k: v for k, v in operation["responses"].items() if k.startswith(("4", "5"))}
            assert errors, f"{method.upper()} {path} documents no error"
            for status, response in errors.items():
                assert "application/problem+json" in response.get("content", {}), (
                    f"{method.upper()} {path} {status} is not documented as problem details"
                )
