"""Test infrastructure: each run gets its own databases and its own broker namespace.

PostgreSQL and RabbitMQ must be reachable (``scripts/check_services.sh`` says how to start
them). Databases are named ``<service>_t<run id>`` and dropped at the end; exchanges and queues
are prefixed ``t<run id>.`` so parallel or crashed runs never collide.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import pytest

from services.sandbox.database import forget_everything
from shared.db.engine import create_engine, drop_database
from shared.db.migrate import upgrade_head
from tests.machine_servers import listener_started, postgres_started

PG_HOST = os.environ.get("TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("TEST_PG_PORT", "5432"))
AMQP_URL = os.environ.get("TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")
RUN_ID = uuid.uuid4().hex[:8]
REPO = Path(__file__).resolve().parent.parent


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def pytest_sessionstart(session: pytest.Session) -> None:
    missing = [
        name for name, port in (("PostgreSQL", PG_PORT), ("RabbitMQ", 5672))
        if not _reachable(PG_HOST, port)
    ]
    if missing:
        raise pytest.UsageError(
            f"{' and '.join(missing)} not reachable on {PG_HOST}; run scripts/check_services.sh "
            "(it starts them on a development machine) and try again."
        )


@pytest.fixture(scope="session", autouse=True)
def _machine_servers_untouched() -> Iterator[None]:
    """The session must leave the machine's servers as it found them: a developer's databases
    and queues live there. Fault tests start and kill servers of their own."""
    url = database_url("postgres")
    before = (postgres_started(url), listener_started(5672))
    yield
    after = (postgres_started(url), listener_started(5672))
    assert after == before, (
        f"the machine's PostgreSQL or RabbitMQ was restarted during the tests: started "
        f"{before} before, {after} after")


def database_url(service: str) -> str:
    return f"postgresql+asyncpg://postgres@{PG_HOST}:{PG_PORT}/{service}_t{RUN_ID}"


def migrations_dir(service: str) -> Path:
    return REPO / "services" / service / "migrations"


@pytest.fixture(scope="session")
def run_id() -> str:
    return RUN_ID


@pytest.fixture(scope="session")
def mq_namespace() -> str:
    return f"t{RUN_ID}."


@pytest.fixture(scope="session")
def amqp_url() -> str:
    return AMQP_URL


MigratedDb = Callable[[str], Awaitable[str]]


@pytest.fixture(scope="session")
async def migrated_db() -> AsyncIterator[MigratedDb]:
    """``url = await migrated_db("claims")``: a fresh, migrated database for this run."""
    made: dict[str, str] = {}

    async def make(service: str) -> str:
        if service not in made:
            url = database_url(service)
            await drop_database(url)
            await upgrade_head(migrations_dir(service), url)
            made[service] = url
        return made[service]

    yield make
    for url in made.values():
        await drop_database(url)


@pytest.fixture(scope="session")
async def sandbox_database(migrated_db: MigratedDb) -> str:
    """The provider sandbox's own database for this run, migrated (its payments persist)."""
    return await migrated_db("sandbox")


async def _emptied(url: str) -> str:
    engine = create_engine(url, pool_size=1)
    try:
        await forget_everything(engine)
    finally:
        await engine.dispose()
    return url


@pytest.fixture
async def sandbox_db(sandbox_database: str) -> str:
    """The sandbox's database, emptied: each test's sandbox starts as a new bank."""
    return await _emptied(sandbox_database)


@pytest.fixture(scope="module")
async def module_sandbox_db(sandbox_database: str) -> str:
    """The same for a sandbox served to a whole module."""
    return await _emptied(sandbox_database)
