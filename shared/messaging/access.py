"""Least privilege in the broker: what each platform user may do, as RabbitMQ definitions.

One virtual host for the platform; one user per service, plus ``ops`` for the operators' tools:
- a service **publishes only its own contracts**: write permission on the exchanges its
  contracts go to, narrowed by topic permissions to exactly their routing keys (claims may send
  ``payouts.payout.request`` to the payouts exchange and nothing else there), plus its own
  requeue exchange (its retries and parking);
- it **reads only its own queues**;
- it **configures nothing**: the topology is declared here, by an administrator;
- no user may write to the default exchange (it reaches every queue by name);
- ``ops`` reads parking queues and the audit trail and replays through the requeue exchanges.

The same document serves every installation: ``warranty-ops broker provision`` imports it
through the management API (docker compose) or ``rabbitmqctl import_definitions`` (a local
broker), and the Kubernetes manifests carry the same users and permissions.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from shared.messaging.contracts import Contract, all_contracts
from shared.messaging.topology import (
    AUDIT_QUEUE,
    EXCHANGES,
    QUEUES,
    SERVICES,
    Plan,
    named,
    parking_queue,
    plan,
    requeue_exchange,
)

OPS_USER = "ops"
NOTHING = "^$"


@dataclass(frozen=True)
class Account:
    user: str
    password: str


@dataclass(frozen=True)
class Grant:
    """A role's permissions in the platform's virtual host (RabbitMQ regular expressions)."""

    role: str  # a service's name, or "ops"
    configure: str
    write: str
    read: str
    topics: Mapping[str, str]  # topic exchange -> routing keys the user may publish there


def _any_of(namespace: str, names: Iterable[str]) -> str:
    choices = "|".join(re.escape(n) for n in sorted(set(names)))
    return f"^{re.escape(namespace)}({choices})$" if choices else NOTHING


def _keys(contracts: Iterable[type[Contract]]) -> str:
    keys = sorted({c.ROUTING_KEY for c in contracts})
    return "^(" + "|".join(re.escape(k) for k in keys) + ")$"


def service_grant(service: str, namespace: str) -> Grant:
    produced = [c for c in all_contracts() if service == c.PRODUCER]
    exchanges = {c.exchange() for c in produced}
    return Grant(
        role=service,
        configure=NOTHING,
        write=_any_of(namespace, [*exchanges, requeue_exchange(service)]),
        read=_any_of(namespace, [q.name for q in QUEUES.values() if q.consumer == service]),
        topics={named(namespace, e): _keys(c for c in produced if c.exchange() == e)
                for e in sorted(exchanges)},
    )


def ops_grant(namespace: str) -> Grant:
    return Grant(
        role=OPS_USER,
        configure=NOTHING,
        write=_any_of(namespace, [requeue_exchange(s) for s in SERVICES]),
        read=_any_of(namespace, [*(parking_queue(q) for q in QUEUES), AUDIT_QUEUE]),
        topics={named(namespace, e): NOTHING for e in EXCHANGES},
    )


def grants(namespace: str) -> list[Grant]:
    return [*(service_grant(s, namespace) for s in SERVICES), ops_grant(namespace)]


def password_hash(password: str, salt: bytes | None = None) -> str:
    """RabbitMQ's ``rabbit_password_hashing_sha256``: base64(salt + sha256(salt + password))."""
    salt = os.urandom(4) if salt is None else salt
    return base64.b64encode(salt + hashlib.sha256(salt + password.encode()).digest()).decode()


def definitions(
    *,
    vhost: str,
    namespace: str,
    accounts: Mapping[str, Account],
    retry_delays_ms: list[int],
    delivery_limit: int,
    administrators: Iterable[str] = (),
) -> dict[str, Any]:
    """The broker definitions document: the virtual host, the platform's users (``accounts``:
    role -> its user and password, for every role of ``grants``), their permissions and the
    whole topology. ``administrators`` (existing users, e.g. a test harness's) get every
    permission on the virtual host, to read queue depths and clean up."""
    everyone = grants(namespace)
    missing = sorted({g.role for g in everyone} - set(accounts))
    if missing:
        raise ValueError(f"no broker account for: {', '.join(missing)}")
    users = {g.role: accounts[g.role].user for g in everyone}
    if len(set(users.values())) != len(users):
        raise ValueError("every role needs a broker user of its own")
    layout = plan(namespace, retry_delays_ms=retry_delays_ms, delivery_limit=delivery_limit)
    return {
        "vhosts": [{"name": vhost}],
        "users": [{"name": users[g.role],
                   "password_hash": password_hash(accounts[g.role].password),
                   "hashing_algorithm": "rabbit_password_hashing_sha256", "tags": ""}
                  for g in everyone],
        "permissions": [
            *({"user": users[g.role], "vhost": vhost, "configure": g.configure,
               "write": g.write, "read": g.read} for g in everyone),
            *({"user": a, "vhost": vhost, "configure": ".*", "write": ".*", "read": ".*"}
              for a in administrators),
        ],
        "topic_permissions": [{"user": users[g.role], "vhost": vhost, "exchange": exchange,
                               "write": keys, "read": NOTHING}
                              for g in everyone for exchange, keys in g.topics.items()],
        **_topology(layout, vhost),
    }


def _topology(layout: Plan, vhost: str) -> dict[str, list[dict[str, Any]]]:
    return {
        "exchanges": [{"name": e.name, "vhost": vhost, "type": e.type, "durable": True,
                       "auto_delete": False, "internal": False, "arguments": {}}
                      for e in layout.exchanges],
        "queues": [{"name": q.name, "vhost": vhost, "durable": True, "auto_delete": False,
                    "arguments": q.arguments} for q in layout.queues],
        "bindings": [{"source": b.exchange, "vhost": vhost, "destination": b.queue,
                      "destination_type": "queue", "routing_key": b.routing_key,
                      "arguments": {}} for b in layout.bindings],
    }
