"""``warranty-ops broker``: provision the broker (virtual host, users, permissions, topology).

The accounts come from the very settings the processes read: each service's
``<SERVICE>_AMQP_URL`` (its user, password and virtual host) and ``AMQP_URL`` for ``ops``, so the
broker and the services cannot disagree. The document is imported one of two ways:
- ``BROKER_MANAGEMENT_URL`` set (``http://admin:password@rabbitmq:15672``): the management API's
  ``POST /api/definitions`` (docker compose, and the test harness's private brokers);
- otherwise ``rabbitmqctl import_definitions`` on this machine (``make run`` against a local
  Debian RabbitMQ; ``RABBITMQCTL`` names the command, default ``rabbitmqctl``).
Importing is idempotent: users and permissions are set to what the document says, existing
queues are kept. ``BROKER_ADMINISTRATORS`` (comma-separated existing users, e.g. a test
harness's own administrator) get every permission on the platform's virtual host.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx

from shared.messaging.access import OPS_USER, Account, definitions
from shared.messaging.topology import SERVICES
from shared.settings import PlatformSettings, ServiceSettings


class ProvisionError(RuntimeError):
    pass


def account(url: str) -> tuple[Account, str]:
    """The user, password and virtual host of an ``amqp://`` URL."""
    parts = urlsplit(url)
    if not parts.username or not parts.password:
        raise ProvisionError(f"broker URL {parts.scheme}://{parts.hostname}... has no user and "
                             "password")
    vhost = unquote(parts.path[1:]) if len(parts.path) > 1 else "/"
    return Account(unquote(parts.username), unquote(parts.password)), vhost


def service_settings() -> list[ServiceSettings]:
    from services.billing.settings import BillingSettings
    from services.claims.settings import ClaimsSettings
    from services.payouts.settings import PayoutsSettings

    found: list[ServiceSettings] = [ClaimsSettings(), PayoutsSettings(), BillingSettings()]
    assert [s.service_name for s in found] == list(SERVICES)
    return found


def platform_definitions(administrators: list[str] | None = None) -> dict[str, Any]:
    """The definitions document for the accounts this environment configures."""
    platform = PlatformSettings()
    accounts: dict[str, Account] = {}
    vhosts: set[str] = set()
    for role, url in [*((s.service_name, s.amqp_url) for s in service_settings()),
                      (OPS_USER, platform.amqp_url)]:
        accounts[role], vhost = account(url)
        vhosts.add(vhost)
    if len(vhosts) != 1:
        raise ProvisionError(f"the platform's broker URLs name several virtual hosts: {vhosts}")
    return definitions(vhost=vhosts.pop(), namespace=platform.mq_namespace, accounts=accounts,
                       retry_delays_ms=platform.retry_delays_ms,
                       delivery_limit=platform.delivery_limit,
                       administrators=administrators or [])


def import_over_http(management_url: str, document: dict[str, Any]) -> None:
    parts = urlsplit(management_url)
    auth = (unquote(parts.username or ""), unquote(parts.password or ""))
    base = f"{parts.scheme}://{parts.hostname}:{parts.port or 15672}"
    try:
        answer = httpx.post(f"{base}/api/definitions", json=document, auth=auth, timeout=30)
    except httpx.HTTPError as exc:
        raise ProvisionError(f"management API at {base} unreachable: {exc}") from exc
    if answer.status_code not in (200, 201, 204):
        raise ProvisionError(f"management API refused the definitions: {answer.status_code} "
                             f"{answer.text[:300]}")


def import_with_rabbitmqctl(command: str, document: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "definitions.json"
        path.write_text(json.dumps(document))
        path.chmod(0o644)  # rabbitmqctl may run as the rabbitmq user
        Path(folder).chmod(0o755)
        try:
            done = subprocess.run(  # noqa: S603 - the operator's own rabbitmqctl
                [*shlex.split(command), "import_definitions", str(path)],
                capture_output=True, text=True, timeout=120, check=False)
        except FileNotFoundError as exc:
            raise ProvisionError(
                f"{command} not found: set BROKER_MANAGEMENT_URL to use the management API, "
                "or RABBITMQCTL to the rabbitmqctl command") from exc
    if done.returncode != 0:
        raise ProvisionError(
            f"{command} import_definitions failed ({done.returncode}): "
            f"{(done.stderr or done.stdout).strip()[-500:]}\nrabbitmqctl needs root or the "
            "rabbitmq user (try RABBITMQCTL='sudo rabbitmqctl'), or set BROKER_MANAGEMENT_URL")


def provision(*, management_url: str | None = None, rabbitmqctl: str | None = None,
              administrators: list[str] | None = None) -> str:
    """Import the platform's definitions; says how."""
    if administrators is None:
        administrators = [name.strip() for name in
                          os.environ.get("BROKER_ADMINISTRATORS", "").split(",") if name.strip()]
    document = platform_definitions(administrators)
    management_url = management_url or os.environ.get("BROKER_MANAGEMENT_URL")
    vhost = document["vhosts"][0]["name"]
    users = ", ".join(u["name"] for u in document["users"])
    if management_url:
        import_over_http(management_url, document)
        how = "the management API"
    else:
        command = rabbitmqctl or os.environ.get("RABBITMQCTL", "rabbitmqctl")
        import_with_rabbitmqctl(command, document)
        how = "rabbitmqctl"
    return (f"broker provisioned through {how}: virtual host {vhost!r}, users {users}, "
            f"{len(document['queues'])} queues")
