"""Ports for the servers and processes a test, bench or chaos run starts."""

from __future__ import annotations

import random
import socket
from pathlib import Path

EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
# rabbitmqctl itself listens on these for Erlang distribution (RABBITMQ_CTL_DIST_PORT_MIN and
# the ten above it): a server given one of them would fail while a rabbitmqctl runs.
RESERVED = frozenset(range(35672, 35683))
_handed_out: set[int] = set()


def _below_ephemeral() -> range:
    """Ports the kernel never gives an outgoing connection's local end (Linux; elsewhere a
    conventional range)."""
    try:
        low = int(EPHEMERAL_RANGE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768
    return range(max(1024, low - 12000), low)


def free_port() -> int:
    """A port free now, outside the kernel's ephemeral range, never the same twice in a run.

    Binding port 0 hands out an ephemeral port, and the kernel may give that very port to an
    outgoing connection (to PostgreSQL, RabbitMQ, between the services) before the server it
    was meant for binds it: a benchmark run once lost its payouts API that way ("address already
    in use"). Outgoing connections never take a port below the ephemeral range."""
    ports = _below_ephemeral()
    for _ in range(500):
        port = random.choice(ports)  # noqa: S311 - not a secret
        if port in _handed_out or port in RESERVED:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue  # in use (or lingering): try another
        _handed_out.add(port)
        return port
    raise RuntimeError(f"no free port in {ports.start}-{ports.stop - 1}")
