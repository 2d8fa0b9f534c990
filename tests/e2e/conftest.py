"""The whole platform as real processes, once per test session (see ``stack.py``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import aio_pika
import httpx
import pytest
from aio_pika.abc import AbstractRobustConnection

from harness.servers import PrivateRabbit, rabbit_node
from shared.db.engine import drop_database
from shared.settings import PlatformSettings
from tests.conftest import RUN_ID, database_url
from tests.e2e.stack import VHOST, Stack, broker_env, stack_env
from warranty_client.claim_credit import ClaimCreditFlow
from warranty_client.http import Urls

pytestmark = pytest.mark.e2e


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.path):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def rabbit() -> Iterator[PrivateRabbit]:
    """The session's own RabbitMQ node: the stack provisions its users and permissions, which
    it must not do on the machine's broker (a developer's `make run` accounts live there)."""
    node = rabbit_node("e2e-mq-")
    node.start()
    yield node
    node.close()


@pytest.fixture(scope="session")
async def stack(rabbit: PrivateRabbit) -> AsyncIterator[Stack]:
    db_urls = {s: database_url(s) + "e2e" for s in ("claims", "payouts", "billing")}
    sandbox_db = database_url("sandbox") + "e2e"
    env, ports = stack_env(RUN_ID, broker_env(rabbit), db_urls, sandbox_db=sandbox_db)
    running = Stack(env, ports)
    try:
        running.migrate()
        running.start_all()
        yield running
    finally:
        running.stop_all()
        for url in [*db_urls.values(), sandbox_db]:
            await drop_database(url)


@pytest.fixture(scope="session")
def urls(stack: Stack) -> Urls:
    return Urls(claims=stack.url("claims"), payouts=stack.url("payouts"),
                sandbox=stack.url("sandbox"), billing=stack.url("billing"))


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=15) as client:
        yield client


@pytest.fixture
def flow(http: httpx.AsyncClient, urls: Urls) -> ClaimCreditFlow:
    return ClaimCreditFlow(http, urls, say=lambda line: None, settings=PlatformSettings())


@pytest.fixture
async def broker(stack: Stack, rabbit: PrivateRabbit) -> AsyncIterator[AbstractRobustConnection]:
    """The node's administrator on the platform's virtual host (publishes what a test says)."""
    connection = await aio_pika.connect_robust(rabbit.admin_url(VHOST))
    yield connection
    await connection.close()


@pytest.fixture(autouse=True)
def _no_sandbox_faults_left(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "stack" in request.fixturenames:
        stack: Stack = request.getfixturevalue("stack")
        httpx.delete(stack.url("sandbox") + "/sandbox/faults", timeout=5)
