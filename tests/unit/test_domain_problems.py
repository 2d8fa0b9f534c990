"""The one mapping of a domain error's kind to its HTTP answer, shared by every service's API."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import pytest
from fastapi import FastAPI

from shared.domain.errors import DomainError, ErrorKind, IllegalTransition, NotFound
from shared.domain_problems import STATUS, install_domain_error_handler
from shared.problems import PROBLEM_JSON
from tests.bare_app import bare_app, call


class Refused(DomainError):
    code = "refused"
    title = "Refused"
    kind: ClassVar[ErrorKind] = ErrorKind.CONFLICT


def _refusal(kind: ErrorKind) -> DomainError:
    of_kind = type(f"Refused{kind.name.title()}", (Refused,), {"kind": kind})
    return of_kind(f"refused as {kind.value}")  # type: ignore[no-any-return]


def make_app(error: DomainError, extra: Mapping[str, Any] | None = None) -> FastAPI:
    app = bare_app()
    install_domain_error_handler(app, extra=lambda exc: extra)

    @app.get("/refuse")
    async def refuse() -> None:
        raise error

    return app


def test_every_kind_has_a_status() -> None:
    assert set(STATUS) == set(ErrorKind)


@pytest.mark.parametrize(("kind", "status"), [
    (ErrorKind.NOT_FOUND, 404), (ErrorKind.CONFLICT, 409), (ErrorKind.INVALID, 422),
    (ErrorKind.FORBIDDEN, 403), (ErrorKind.DECLINED, 402), (ErrorKind.UNAVAILABLE, 503),
])
async def test_the_kind_decides_the_status(kind: ErrorKind, status: int) -> None:
    response = await call(make_app(_refusal(kind)), "GET", "/refuse")
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json() == {
        "type": "urn:warranty:problem:refused", "title": "Refused", "status": status,
        "detail": f"refused as {kind.value}", "instance": "/refuse",
    }


async def test_a_service_adds_members_to_the_body() -> None:
    response = await call(make_app(NotFound("invoice", 7), {"hint": "x"}), "GET", "/refuse")
    assert response.status_code == 404
    assert response.json()["hint"] == "x"
    assert response.json()["detail"] == "invoice 7 does not exist"


async def test_an_illegal_transition_is_a_conflict_naming_what_is_allowed() -> None:
    error = IllegalTransition("invoice", "paid", "void", ["reverse"])
    body = (await call(make_app(error), "GET", "/refuse")).json()
    assert (body["status"], body["type"]) == (409, "urn:warranty:problem:illegal-transition")
    assert body["detail"] == "invoice in status 'paid' cannot 'void' (allowed here: reverse)"
