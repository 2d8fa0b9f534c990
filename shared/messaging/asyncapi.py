"""The AsyncAPI 3 document of every command and event, generated from the contracts.

``python -m shared.messaging.asyncapi > docs/asyncapi.json`` (``make asyncapi``) writes it; each
service serves it at ``/asyncapi.json``; ``make test`` fails when the checked-in copy is stale and
validates it with the official AsyncAPI parser.
"""

from __future__ import annotations

import json
import sys
import uuid
from datetime import UTC, datetime
from typing import Any

from shared.messaging.contracts import Contract, all_contracts
from shared.messaging.envelope import Envelope
from shared.messaging.examples import EXAMPLES
from shared.messaging.topology import AUDIT_QUEUE, QUEUES

EXAMPLE_TIME = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def _message_name(contract: type[Contract]) -> str:
    return f"{contract.TYPE.replace('.', '_')}_v{contract.VERSION}"


def _consumers(contract: type[Contract]) -> list[str]:
    return [spec.name for spec in QUEUES.values() if contract in spec.contracts]


def _envelope_schema(contract: type[Contract]) -> dict[str, Any]:
    schema = Envelope.model_json_schema()
    payload = contract.model_json_schema(ref_template="#/components/schemas/{model}")
    defs = payload.pop("$defs", {})
    schema.pop("$defs", None)
    schema["properties"]["type"] = {"type": "string", "const": contract.TYPE}
    schema["properties"]["version"] = {"type": "integer", "const": contract.VERSION}
    schema["properties"]["payload"] = payload
    return {"schema": schema, "defs": defs}


def _example(contract: type[Contract]) -> dict[str, Any]:
    payload = contract.model_validate(EXAMPLES[contract.TYPE]).model_dump(mode="json")
    envelope = Envelope(
        message_id=uuid.uuid5(uuid.NAMESPACE_URL, f"urn:warranty:example:{contract.TYPE}"),
        type=contract.TYPE, version=contract.VERSION, occurred_at=EXAMPLE_TIME,
        correlation_id="6f1c0c3e-claim", producer=contract.TYPE.split(".")[0]
        if not contract.TYPE.endswith("request_payout") else "claims",
        payload=payload,
    )
    return json.loads(envelope.model_dump_json())  # type: ignore[no-any-return]


def build_document() -> dict[str, Any]:
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    for contract in sorted(all_contracts(), key=lambda c: (c.TYPE, c.VERSION)):
        name = _message_name(contract)
        built = _envelope_schema(contract)
        schemas.update(built["defs"])
        kind = "command" if contract.TYPE.split(".", 1)[1].startswith("request_") else "event"
        consumers = _consumers(contract)
        messages[name] = {
            "name": contract.TYPE,
            "title": f"{contract.TYPE} v{contract.VERSION}",
            "summary": (contract.__doc__ or contract.TYPE).strip().splitlines()[0],
            "contentType": "application/json",
            "payload": built["schema"],
            "examples": [{"name": f"{name}_example", "payload": _example(contract)}],
            "x-kind": kind,
            "x-version": contract.VERSION,
        }
        channels[name] = {
            "address": contract.ROUTING_KEY,
            "title": f"{contract.exchange()} exchange, routing key {contract.ROUTING_KEY}",
            "description": (
                f"Topic exchange `{contract.exchange()}` (owner of the contract), routing key "
                f"`{contract.ROUTING_KEY}`. Consumer queues: "
                + (", ".join(f"`{q}`" for q in consumers) or "none yet")
                + f"; also copied to `{AUDIT_QUEUE}` for a week."
            ),
            "messages": {name: {"$ref": f"#/components/messages/{name}"}},
            "bindings": {"amqp": {"is": "routingKey", "exchange": {
                "name": contract.exchange(), "type": "topic", "durable": True,
                "autoDelete": False, "vhost": "/"}, "bindingVersion": "0.3.0"}},
        }
        ref = {"$ref": f"#/channels/{name}"}
        msg_ref = [{"$ref": f"#/channels/{name}/messages/{name}"}]
        operations[f"send_{name}"] = {"action": "send", "channel": ref, "messages": msg_ref,
                                      "summary": f"Published by {_producer(contract)}."}
        for queue in consumers:
            operations[f"receive_{name}_{queue.replace('.', '_').replace('-', '_')}"] = {
                "action": "receive", "channel": ref, "messages": msg_ref,
                "summary": f"Consumed from queue {queue} (manual ack after commit, inbox "
                           "dedupe, bounded retries, then the parking queue).",
            }
    return {
        "asyncapi": "3.1.0",
        "info": {
            "title": "Warranty platform messages",
            "version": "1.0.0",
            "description": "Every command and event between the claims, payouts and billing "
            "services. Each message is an envelope (message_id, type, version, occurred_at, "
            "correlation_id, causation_id, producer, payload); payload schemas are versioned. "
            "Messages are persistent, published with confirms and `mandatory`.",
        },
        "defaultContentType": "application/json",
        "servers": {"local": {"host": "127.0.0.1:5672", "protocol": "amqp",
                              "description": "RabbitMQ of `make run`"}},
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }


def _producer(contract: type[Contract]) -> str:
    return "claims" if contract.TYPE == "payouts.request_payout" else contract.exchange()


def render() -> str:
    return json.dumps(build_document(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
