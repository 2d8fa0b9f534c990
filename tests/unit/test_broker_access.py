"""The broker permissions each platform user gets: a service publishes exactly its own
contracts, reads exactly its own queues, configures nothing and never writes to the default
exchange. RabbitMQ matches these patterns with PCRE; Python's ``re`` reads them the same way.
The integration test (tests/e2e/test_broker_trust.py) shows the broker enforcing them."""

from __future__ import annotations

import re

import pytest

from shared.messaging.access import Account, definitions, grants, password_hash, service_grant
from shared.messaging.contracts import ServiceJobCancelledV1, all_contracts
from shared.messaging.topology import QUEUES, SERVICES, plan

NAMESPACES = ["", "t1a2b3c4e2e."]


@pytest.mark.parametrize("namespace", NAMESPACES)
@pytest.mark.parametrize("service", SERVICES)
def test_a_service_may_publish_exactly_its_own_contracts(namespace: str, service: str) -> None:
    grant = service_grant(service, namespace)
    for contract in all_contracts():
        exchange = namespace + contract.exchange()
        allowed = bool(re.fullmatch(grant.write, exchange)) and bool(
            re.fullmatch(grant.topics.get(exchange, "^$"), contract.ROUTING_KEY))
        assert allowed == (service == contract.PRODUCER), (service, contract.TYPE)


@pytest.mark.parametrize("namespace", NAMESPACES)
def test_each_queue_is_read_by_its_consumer_only(namespace: str) -> None:
    for spec in QUEUES.values():
        readers = [g.role for g in grants(namespace) if re.fullmatch(g.read, namespace + spec.name)]
        assert readers == [spec.consumer]


@pytest.mark.parametrize("namespace", NAMESPACES)
def test_claims_publishes_a_job_cancellation_and_billing_alone_reads_it(namespace: str) -> None:
    exchange, key = namespace + "claims", ServiceJobCancelledV1.ROUTING_KEY
    publishers = [g.role for g in grants(namespace)
                  if re.fullmatch(g.write, exchange)
                  and re.fullmatch(g.topics.get(exchange, "^$"), key)]
    assert publishers == ["claims"]
    queues = [q.name for q in QUEUES.values() if ServiceJobCancelledV1 in q.contracts]
    assert queues == ["billing.claims-events"]
    readers = [g.role for g in grants(namespace) if re.fullmatch(g.read, namespace + queues[0])]
    assert readers == ["billing"]


@pytest.mark.parametrize("namespace", NAMESPACES)
def test_nobody_configures_or_writes_to_the_default_exchange(namespace: str) -> None:
    layout = plan(namespace, retry_delays_ms=[100, 200], delivery_limit=5)
    names = [e.name for e in layout.exchanges] + [q.name for q in layout.queues]
    for grant in grants(namespace):
        assert not any(re.fullmatch(grant.configure, n) for n in names)
        assert not re.fullmatch(grant.write, "amq.default")
        assert not re.fullmatch(grant.write, "")


def test_the_operators_replay_through_the_requeue_exchanges_only() -> None:
    ops = next(g for g in grants("") if g.role == "ops")
    assert re.fullmatch(ops.write, "payouts.requeue")
    assert not re.fullmatch(ops.write, "payouts")
    assert re.fullmatch(ops.read, "payouts.commands.parking")
    assert not re.fullmatch(ops.read, "payouts.commands")


def test_the_definitions_hold_users_permissions_and_the_whole_plan() -> None:
    accounts = {r: Account(f"u-{r}", f"pw-{r}") for r in (*SERVICES, "ops")}
    doc = definitions(vhost="warranty", namespace="", accounts=accounts,
                      retry_delays_ms=[100], delivery_limit=5, administrators=["admin"])
    layout = plan("", retry_delays_ms=[100], delivery_limit=5)
    assert {q["name"] for q in doc["queues"]} == {q.name for q in layout.queues}
    assert len(doc["bindings"]) == len(layout.bindings)
    assert {u["name"] for u in doc["users"]} == {a.user for a in accounts.values()}
    assert {p["user"] for p in doc["permissions"]} == {*(a.user for a in accounts.values()),
                                                       "admin"}
    assert "pw-claims" not in str(doc)  # hashed, never in clear


def test_a_missing_account_is_an_error() -> None:
    with pytest.raises(ValueError, match="no broker account for: ops"):
        definitions(vhost="w", namespace="", accounts={s: Account(s, "x") for s in SERVICES},
                    retry_delays_ms=[], delivery_limit=1)


def test_password_hash_is_rabbitmqs_salted_sha256() -> None:
    # The example of RabbitMQ's documentation ("Computing Password Hash"): salt 908D C60A.
    assert password_hash("test12", bytes.fromhex("908DC60A")) == \
        "kI3GCqW5JLMJa4iX1lo7X4D6XbYqlLgxIs30+P6tENUV2POR"
