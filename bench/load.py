"""The load generator's HTTP client: the requests whose rate and latency ``make bench`` measures
(approvals, claim reads, portal payments, balance reads) go through aiohttp, not httpx.

Why: the load generator runs on the two cores the services under test need, so its CPU is taken
from them. On this machine httpx costs ~1.0 ms of CPU per request at one connection and ~2.0 ms
at 32 (its pool scans every connection on each request), aiohttp ~0.16-0.23 ms
(``bench/RESULTS.md``, 2026-12-01 evening). The yardstick's load generator is wrk, in C. The
services' own outgoing calls speak httpx over an aiohttp transport (``shared/http.py``); setting
up the claims and accounts before a phase still goes through the demo scripts' httpx clients,
outside the measured window.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import aiohttp


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: Any  # parsed JSON, or the text when the body is not JSON
    text: str


class LoadClient:
    """One connection pool for a phase's requests; ``async with LoadClient() as http``."""

    def __init__(self, *, timeout_s: float = 30, connections: int = 200) -> None:
        self._timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._connections = connections
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> LoadClient:
        self._session = aiohttp.ClientSession(
            timeout=self._timeout,
            connector=aiohttp.TCPConnector(limit=self._connections),
        )
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def post(self, url: str, *, headers: dict[str, str], json_body: Any) -> Answer:
        return await self._request("POST", url, headers, json_body)

    async def get(self, url: str, *, headers: dict[str, str]) -> Answer:
        return await self._request("GET", url, headers, None)

    async def _request(self, method: str, url: str, headers: dict[str, str],
                       json_body: Any) -> Answer:
        assert self._session is not None, "use LoadClient in 'async with'"
        async with self._session.request(method, url, headers=headers, json=json_body) as reply:
            text = await reply.text()
        try:
            body = json.loads(text) if text else None
        except ValueError:
            body = text
        return Answer(reply.status, body, text)


# A request that got no answer (refused, reset, timed out): the callers retry these as they
# retry a 5xx, with the same Idempotency-Key.
TRANSPORT_ERRORS: tuple[type[BaseException], ...] = (aiohttp.ClientConnectionError, TimeoutError)


class LoadFailed(Exception):
    pass


def expect(answer: Answer, status: int, what: str) -> Any:
    if answer.status != status:
        raise LoadFailed(f"{what} answered {answer.status}, expected {status}: "
                         f"{answer.text[:500]}")
    return answer.body
