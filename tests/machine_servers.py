"""When the machine's own PostgreSQL and RabbitMQ started, so a test session can prove it left
them alone: fault tests kill servers of their own (``harness.servers``), never these."""

from __future__ import annotations

import asyncio
import datetime as dt

import psutil

from shared.db.engine import connect_raw


async def _postgres_started(url: str) -> dt.datetime:
    conn = await connect_raw(url, database="postgres")
    try:
        started: dt.datetime = await conn.fetchval("SELECT pg_postmaster_start_time()")
        return started
    finally:
        await conn.close()


def postgres_started(url: str) -> dt.datetime:
    return asyncio.run(_postgres_started(url))


def listener_started(port: int) -> float | None:
    """The start time of the process listening on 127.0.0.1:``port`` (None when this user may
    not see it: another user's process, seen without root)."""
    try:
        connections = psutil.net_connections(kind="tcp")
    except psutil.AccessDenied:
        return None
    for conn in connections:
        if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port == port \
                and conn.pid:
            try:
                return float(psutil.Process(conn.pid).create_time())
            except psutil.Error:
                return None
    return None
