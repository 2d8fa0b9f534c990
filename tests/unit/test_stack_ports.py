"""The ports the test, bench and chaos stacks listen on: free, distinct, and never ones the
kernel may hand an outgoing connection before the server binds them."""

from __future__ import annotations

import random
import socket

import pytest

from harness import ports as stack
from harness.ports import free_port


def test_ports_are_free_distinct_and_below_the_ephemeral_range() -> None:
    ephemeral_low = int(stack.EPHEMERAL_RANGE.read_text().split()[0])
    ports = [free_port() for _ in range(50)]
    assert len(set(ports)) == len(ports)
    assert all(1024 <= port < ephemeral_low for port in ports)
    for port in ports[:5]:
        with socket.create_server(("127.0.0.1", port)):
            pass


def test_a_port_in_use_is_not_handed_out(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        busy = taken.getsockname()[1]
        spare = free_port()
        stack._handed_out.discard(spare)
        picks = iter([busy, busy, spare])
        monkeypatch.setattr(random, "choice", lambda _ports: next(picks))
        assert free_port() == spare


def test_the_ports_rabbitmqctl_listens_on_are_never_handed_out(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    spare = free_port()
    stack._handed_out.discard(spare)
    picks = iter([35672, 35680, spare])
    monkeypatch.setattr(random, "choice", lambda _ports: next(picks))
    assert free_port() == spare
