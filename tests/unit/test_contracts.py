"""The message contracts are the single source: every one is routable and round-trips."""

import pytest

from shared.messaging.contracts import Contract, UnknownContract, all_contracts, contract_for
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
