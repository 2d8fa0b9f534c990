"""A worker started while its broker is down (a deploy during a broker restart, a crash-restart
of both) waits for the broker instead of exiting: ``topology.connect`` keeps trying. Regression:
found by the chaos run, where a worker restarted during a RabbitMQ restart exited with 1."""

from __future__ import annotations

import asyncio
import time

from harness.servers import rabbit_node
from shared.messaging.topology import connect


async def test_the_first_connect_waits_for_a_broker_that_is_not_up_yet() -> None:
    node = rabbit_node("first-connect-", management=False)  # its ports, not started yet
    url = f"amqp://guest:guest@127.0.0.1:{node.amqp_port}/"
    started = time.monotonic()
    connecting = asyncio.create_task(connect(url))
    try:
        await asyncio.sleep(1.0)
        assert not connecting.done()  # refused, and still trying
        await asyncio.to_thread(node.start)
        connection = await asyncio.wait_for(connecting, timeout=30)
        assert not connection.is_closed
        assert time.monotonic() - started > 1.0
        await connection.close()
    finally:
        connecting.cancel()
        await asyncio.to_thread(node.close)
