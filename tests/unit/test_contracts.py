"""The message contracts are the single source: every one is routable and round-trips."""

import pytest
from pydantic import ValidationError

from shared.messaging.contracts import (
    ClaimsStateChangedV1,
    Contract,
    UnknownContract,
    all_contracts,
    contract_for,
)
from shared.messaging.envelope import Envelope
from shared.messaging.topology import EXCHANGES, QUEUES


@pytest.mark.parametrize("contract", all_contracts(), ids=lambda c: c.TYPE)
def test_every_contract_names_an_exchange_and_a_routing_key(contract: type[Contract]) -> None:
    service, _, name = contract.TYPE.partition(".")
    assert contract.exchange() in EXCHANGES
    assert contract.ROUTING_KEY.startswith(service + ".")
    assert name and contract.VERSION >= 1
    assert contract_for(contract.TYPE, contract.VERSION) is contract


def test_consumed_contracts_are_bound_exactly_once() -> None:
    bound = [c for spec in QUEUES.values() for c in spec.contracts]
    assert len(bound) == len(set(bound))


def test_commands_are_imperative_and_events_past_tense() -> None:
    for contract in all_contracts():
        verb = contract.TYPE.split(".", 1)[1]
        assert verb.startswith("request_") or verb.split("_")[-1].endswith(
            ("ed", "paid", "changed")
        ), contract.TYPE


def test_unknown_contract_is_a_named_error() -> None:
    with pytest.raises(UnknownContract):
        contract_for("payouts.request_payout", 99)


def _state_changed(**payload: object) -> Envelope:
    body = {"entity": "claim", "entity_id": "c-1", "action": "approve", "actor": "ss-1",
            "at": "2026-01-02T03:04:05Z", **payload}
    return Envelope(type=ClaimsStateChangedV1.TYPE, version=1, correlation_id="c-1",
                    producer="claims", payload=body)


def test_an_envelope_is_validated_once_however_often_it_is_opened() -> None:
    envelope = _state_changed()
    opened = envelope.open()
    assert isinstance(opened, ClaimsStateChangedV1) and opened.entity_id == "c-1"
    assert envelope.open() is opened
    # The cached contract is not part of the envelope: equal, dumped and hashed as before.
    assert envelope == Envelope.from_bytes(envelope.to_bytes())
    assert "_opened" not in envelope.model_dump()


def test_an_invalid_payload_fails_every_time_it_is_opened() -> None:
    envelope = _state_changed(at="not a time")
    for _ in range(2):
        with pytest.raises(ValidationError):
            envelope.open()
