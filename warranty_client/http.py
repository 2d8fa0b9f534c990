"""Where the stack answers, and the one check every step makes of an answer."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

# How a flow tells its story: ``print`` for the demo, a list's ``append`` in the tests.
Say = Callable[[str], None]


class FlowFailed(Exception):
    """A step answered something else than the flow expects: the reason is the message."""


@dataclass(frozen=True)
class Urls:
    claims: str
    payouts: str
    sandbox: str
    billing: str = "http://127.0.0.1:8003"

    @classmethod
    def from_env(cls) -> Urls:
        return cls(
            claims=os.environ.get("CLAIMS_URL", "http://127.0.0.1:8001"),
            payouts=os.environ.get("PAYOUTS_URL", "http://127.0.0.1:8002"),
            sandbox=os.environ.get("SANDBOX_URL", "http://127.0.0.1:8009"),
            billing=os.environ.get("BILLING_URL", "http://127.0.0.1:8003"),
        )


def expect(response: httpx.Response, status: int) -> Any:
    """The answer's JSON body if it has ``status``; otherwise the flow fails with the answer."""
    if response.status_code != status:
        raise FlowFailed(
            f"{response.request.method} {response.request.url.path} answered "
            f"{response.status_code}, expected {status}: {response.text[:500]}"
        )
    return response.json()
