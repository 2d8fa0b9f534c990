#!/usr/bin/env python3
"""Run the whole platform on this machine: ``python scripts/devstack.py`` (``make run``).

Checks PostgreSQL and RabbitMQ (``scripts/check_services.sh``, which starts them when it can),
migrates the three services' databases and the sandbox's one after the other, starts every
long-running process with one environment, prefixes each output line with the process name and
waits until every HTTP process answers ``/readyz``. Ctrl-C or SIGTERM stops the stack
(SIGTERM, up to 15 s, then SIGKILL) and exits 0; a process that dies on its own takes the stack
down with exit status 1.

Standard library only, so it runs before anything else works.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import IO, TextIO


@dataclass(frozen=True)
class Proc:
    name: str
    args: tuple[str, ...]  # after the Python interpreter
    one_shot: bool = False  # runs to completion, in table order, before the long-running ones
    http: tuple[str, int] | None = None  # env prefix (<P>_HOST, <P>_PORT) and default port
    links: tuple[str, ...] = ("/docs",)  # paths worth printing once the stack is up


# The single description of the stack. deploy/docker-compose.yml runs the same commands;
# tests/unit/test_compose.py fails when the two drift apart.
STACK: list[Proc] = [
    # The broker's virtual host, the services' users and permissions, the topology
    # (shared/messaging/access.py): the services' own users may declare nothing.
    Proc("broker-setup", ("-m", "ops.cli", "broker", "provision"), one_shot=True),
    Proc("claims-migrate", ("-m", "services.claims", "migrate"), one_shot=True),
    Proc("payouts-migrate", ("-m", "services.payouts", "migrate"), one_shot=True),
    Proc("billing-migrate", ("-m", "services.billing", "migrate"), one_shot=True),
    # The sandbox keeps its payments, the bank's records and its clock in a database of its own.
    Proc("sandbox-migrate", ("-m", "services.sandbox", "migrate"), one_shot=True),
    Proc("sandbox", ("-m", "services.sandbox"), http=("SANDBOX", 8009),
         links=("/docs", "/ledger")),
    Proc("claims-api", ("-m", "services.claims", "api"), http=("CLAIMS", 8001)),
    Proc("claims-worker", ("-m", "services.claims", "worker")),
    Proc("payouts-api", ("-m", "services.payouts", "api"), http=("PAYOUTS", 8002)),
    Proc("payouts-worker", ("-m", "services.payouts", "worker")),
    Proc("billing-api", ("-m", "services.billing", "api"), http=("BILLING", 8003)),
    Proc("billing-worker", ("-m", "services.billing", "worker")),
]

REPO = Path(__file__).resolve().parent.parent
CHECK_SERVICES = REPO / "scripts" / "check_services.sh"
# Same value as the sandbox's own dev default; set explicitly so payouts verifies the callbacks
# with the very secret the sandbox signs them with.
DEV_WEBHOOK_SECRET = "dev-sandbox-webhook-secret-0123456789"
DEFAULT_AMQP_URL = "amqp://ops:ops-dev-broker-password@127.0.0.1:5672/warranty"
COLORS = ("36", "33", "35", "32", "34", "31", "96", "93", "95", "92")


def default_python() -> str:
    """The interpreter of the running venv, else the repo's ``.venv``, else this one."""
    venv_python = REPO / ".venv" / "bin" / "python"
    if sys.prefix != sys.base_prefix or not venv_python.exists():
        return sys.executable
    return str(venv_python)


def _argv(procs: Sequence[Proc], python: str | None) -> list[tuple[str, list[str]]]:
    exe = python or default_python()
    return [(p.name, [exe, *p.args]) for p in procs]


def stack_processes(python: str | None = None) -> list[tuple[str, list[str]]]:
    """(name, argv) of every long-running process, in start order."""
    return _argv([p for p in STACK if not p.one_shot], python)


def migrate_processes(python: str | None = None) -> list[tuple[str, list[str]]]:
    """(name, argv) of the one-shot setup steps (the broker, then the databases), in order."""
    return _argv([p for p in STACK if p.one_shot], python)


def _address(prefix: str, default_port: int, env: Mapping[str, str]) -> tuple[str, int]:
    host = env.get(f"{prefix}_HOST", "127.0.0.1")
    if host in ("", "0.0.0.0", "::"):  # bound to every interface: reach it over loopback
        host = "127.0.0.1"
    return host, int(env.get(f"{prefix}_PORT", str(default_port)))


def address(proc: Proc, env: Mapping[str, str]) -> tuple[str, int] | None:
    """(host, port) to reach the process's HTTP listener at, or None when it has none."""
    return None if proc.http is None else _address(*proc.http, env)


def base_url(proc: Proc, env: Mapping[str, str]) -> str | None:
    """``http://host:port`` of the process's HTTP listener, or None when it has none."""
    if (addr := address(proc, env)) is None:
        return None
    host, port = addr
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def ready_urls(env: Mapping[str, str]) -> dict[str, str]:
    """name -> readiness URL of every HTTP process of the stack."""
    return {p.name: f"{url}/readyz" for p in STACK if (url := base_url(p, env))}


def stack_env(base: Mapping[str, str]) -> dict[str, str]:
    """The environment of every process: ``base`` plus what ties the processes together."""
    env = dict(base)
    env["PYTHONUNBUFFERED"] = "1"  # line by line through the pipes, not in 8 KiB blocks
    env.setdefault("PROVIDER_WEBHOOK_SECRET", DEV_WEBHOOK_SECRET)
    sandbox_port = _address("SANDBOX", 8009, env)[1]
    payouts_port = _address("PAYOUTS", 8002, env)[1]
    env.setdefault("PAYOUTS_CONCOURSE_BASE_URL", f"http://127.0.0.1:{sandbox_port}/tsapi/v1/concourse")
    env.setdefault("PAYOUTS_CALLBACK_BASE_URL", f"http://127.0.0.1:{payouts_port}")
    # A demo's check is paid when the bank's paid-items report says so: read it every 2 s.
    env.setdefault("PAYOUTS_CHECKS_INTERVAL_S", "2")
    # J.P. Morgan's callbacks go to the client URL registered with the bank, not one per payment.
    env.setdefault("SANDBOX_JPM_CLIENT_URL", f"http://127.0.0.1:{payouts_port}/v1/callbacks/jpm")
    env.setdefault("SANDBOX_LOB_WEBHOOK_URL", f"http://127.0.0.1:{payouts_port}/v1/callbacks/check")
    return env


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via http_proxy


def probe(url: str, timeout: float = 2.0) -> str | None:
    """None when ``url`` answers 200, else a short reason."""
    try:
        with _OPENER.open(url, timeout=timeout) as response:
            return None if response.status == 200 else f"HTTP {response.status}"
    except urllib.error.HTTPError as exc:
        with exc:
            body = exc.read(300).decode(errors="replace").strip()
        return f"HTTP {exc.code} {body}".strip()
    except urllib.error.URLError as exc:
        return str(exc.reason)
    except OSError as exc:
        return str(exc) or type(exc).__name__


def _listening(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


@dataclass
class Child:
    proc: Proc
    popen: subprocess.Popen[bytes]
    pump: threading.Thread


class Supervisor:
    """Starts processes, relays their output and stops them all."""

    def __init__(self, env: Mapping[str, str], *, python: str, out: TextIO,
                 grace_s: float = 15.0) -> None:
        self.env = dict(env)
        self.python = python
        self.out = out
        self.grace_s = grace_s
        self.stop = threading.Event()  # set by the first Ctrl-C / SIGTERM
        self.force = threading.Event()  # set by the second: kill without waiting
        self.children: list[Child] = []
        self._lock = threading.Lock()
        self._color = out.isatty() and "NO_COLOR" not in os.environ
        self._width = max(len(p.name) for p in STACK)

    def say(self, message: str) -> None:
        self._write("devstack", message, "1")

    def _write(self, name: str, line: str, color: str | None) -> None:
        label = f"{name:<{self._width}}"
        if self._color and color:
            label = f"\033[{color}m{label}\033[0m"
        with self._lock:
            self.out.write(f"{label} | {line}\n")
            self.out.flush()

    def _relay(self, name: str, pipe: IO[bytes], color: str) -> None:
        with pipe:
            for raw in iter(pipe.readline, b""):
                self._write(name, raw.decode(errors="replace").rstrip("\r\n"), color)

    def start(self, proc: Proc) -> Child:
        # A process group of its own: the terminal's Ctrl-C reaches only us, so every child is
        # stopped the one way (SIGTERM, grace, SIGKILL), grandchildren included.
        popen = subprocess.Popen(  # noqa: S603 - argv from the table above
            [self.python, *proc.args], cwd=REPO, env=self.env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, process_group=0,
        )
        assert popen.stdout is not None
        color = COLORS[len(self.children) % len(COLORS)]
        pump = threading.Thread(target=self._relay, args=(proc.name, popen.stdout, color),
                                name=f"relay-{proc.name}", daemon=True)
        pump.start()
        child = Child(proc, popen, pump)
        self.children.append(child)
        return child

    def run_once(self, proc: Proc) -> int | None:
        """Run a one-shot process to its end; None when stopped before it ended."""
        child = self.start(proc)
        while child.popen.poll() is None:
            if self.stop.wait(0.2):
                return None
        child.pump.join(timeout=5)
        return child.popen.returncode

    def describe_exit(self, child: Child) -> str:
        code = child.popen.returncode
        if code is not None and code < 0:
            with contextlib.suppress(ValueError):
                return f"was killed by {signal.Signals(-code).name}"
        return f"exited with status {code}"

    def first_exited(self) -> Child | None:
        return next((c for c in self.children
                     if not c.proc.one_shot and c.popen.poll() is not None), None)

    def shutdown(self) -> None:
        running = [c for c in self.children if c.popen.poll() is None]
        if running:
            self.say(f"stopping {len(running)} processes (SIGTERM, {self.grace_s:g} s grace)")
        for child in running:
            self._signal(child, signal.SIGTERM)
        deadline = time.monotonic() + self.grace_s
        while (any(c.popen.poll() is None for c in running)
               and time.monotonic() < deadline and not self.force.is_set()):
            time.sleep(0.1)
        for child in running:
            if child.popen.poll() is None:
                self.say(f"{child.proc.name} did not stop in time: SIGKILL")
                self._signal(child, signal.SIGKILL)
            child.popen.wait()
        for child in self.children:
            child.pump.join(timeout=2)

    @staticmethod
    def _signal(child: Child, sig: signal.Signals) -> None:
        # The whole group, so a grandchild cannot outlive the stack or hold the pipe open.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(child.popen.pid, sig)


def run_stack(sup: Supervisor, stack: Sequence[Proc], *, ready_timeout: float = 60.0,
              on_ready: Callable[[], None] | None = None) -> int:
    """Migrate, start, wait for readiness, supervise; always leaves no child behind."""
    try:
        return _run(sup, stack, ready_timeout, on_ready)
    finally:
        sup.shutdown()


def _run(sup: Supervisor, stack: Sequence[Proc], ready_timeout: float,
         on_ready: Callable[[], None] | None) -> int:
    for proc in (p for p in stack if p.one_shot):
        code = sup.run_once(proc)
        if code is None:
            return 0
        if code != 0:
            sup.say(f"{proc.name} failed (exit status {code}); see its output above")
            return 1

    services = [p for p in stack if not p.one_shot]
    busy = [f"{p.name} ({base_url(p, sup.env)})" for p in services
            if (addr := address(p, sup.env)) is not None and _listening(*addr)]
    if busy:
        sup.say(f"address already in use: {', '.join(busy)}; is another stack running?")
        return 1
    for proc in services:
        sup.start(proc)

    pending = {p.name: f"{url}/readyz" for p in services if (url := base_url(p, sup.env))}
    reasons: dict[str, str] = {}
    deadline = time.monotonic() + ready_timeout
    while pending:
        if sup.stop.is_set():
            return 0
        if (dead := sup.first_exited()) is not None:
            sup.say(f"{dead.proc.name} {sup.describe_exit(dead)} before the stack was ready")
            return 1
        for name, url in list(pending.items()):
            if (reason := probe(url)) is None:
                sup.say(f"{name} ready ({url})")
                del pending[name]
            else:
                reasons[name] = reason
        if pending and time.monotonic() > deadline:
            for name, url in pending.items():
                sup.say(f"{name} not ready after {ready_timeout:g} s: {url} -> {reasons[name]}")
            return 1
        if pending:
            sup.stop.wait(0.5)

    _print_summary(sup, services)
    if on_ready is not None:
        on_ready()
    while not sup.stop.wait(0.5):
        if (dead := sup.first_exited()) is not None:
            sup.say(f"{dead.proc.name} {sup.describe_exit(dead)} unexpectedly; stopping the stack")
            return 1
    return 0


def _print_summary(sup: Supervisor, services: Sequence[Proc]) -> None:
    sup.say("the stack is up:")
    for proc in services:
        if (url := base_url(proc, sup.env)) is not None:
            sup.say(f"  {proc.name:<12} {'  '.join(url + link for link in ('', *proc.links))}")
    amqp = sup.env.get("AMQP_URL", DEFAULT_AMQP_URL)
    scheme, _, rest = amqp.partition("://")
    credentials, at, location = rest.rpartition("@")
    user = credentials.partition(":")[0]
    shown = f"{scheme}://{user}:***@{location}" if at else amqp
    amqp_host = location.partition("/")[0].rpartition(":")[0] or location.partition("/")[0]
    management = f"http://{amqp_host}:15672"
    ui = (management if _listening(amqp_host, 15672)
          else "no management UI (rabbitmq-plugins enable rabbitmq_management)")
    sup.say(f"  {'rabbitmq':<12} {shown}  {ui}")
    sup.say("Ctrl-C stops everything")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--ready-timeout", type=float, default=60.0, metavar="SECONDS",
                        help="how long the HTTP processes may take to answer /readyz (60)")
    parser.add_argument("--skip-check", action="store_true",
                        help="do not run scripts/check_services.sh first")
    args = parser.parse_args(argv)

    sup = Supervisor(stack_env(os.environ), python=default_python(), out=sys.stdout)

    def on_signal(signum: int, frame: FrameType | None) -> None:
        if sup.stop.is_set():
            sup.force.set()
        sup.stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    if not args.skip_check:
        check = subprocess.run(  # noqa: S603 - our own script
            ["bash", str(CHECK_SERVICES)], cwd=REPO, env=sup.env, check=False  # noqa: S607
        )
        if sup.stop.is_set():
            return 0
        if check.returncode != 0:
            return 1
    return run_stack(sup, STACK, ready_timeout=args.ready_timeout)


if __name__ == "__main__":
    sys.exit(main())
