"""The real processes of the platform, started as `make run` starts them, for end-to-end tests.

Each run gets free ports, its own databases, and a RabbitMQ node of its own
(``harness.servers``) that the stack provisions as ``make run`` provisions the machine's: the
platform's virtual host, one user per service with a password made for the run, their
permissions. A developer's running stack and other test runs are never touched. Output goes to
``.run/e2e/<name>.log``.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from harness.ports import free_port
from harness.servers import PrivateRabbit
from scripts.devstack import migrate_processes, stack_processes
from shared.messaging.topology import SERVICES

REPO = Path(__file__).resolve().parents[2]
# The very commands `make run` uses (scripts/devstack.py is the one table of the stack).
COMMANDS = dict(stack_processes(sys.executable))
LOG_DIR = REPO / ".run" / "e2e"
VHOST = "warranty"


def broker_env(node: PrivateRabbit) -> dict[str, str]:
    """The broker settings of every process for ``node``: the management API the one-shot
    broker-setup provisions through, each service's account and the operators' (``AMQP_URL``),
    with passwords made for this run; the node's own administrator may read every queue."""
    env = {"BROKER_MANAGEMENT_URL": node.management_url(), "BROKER_ADMINISTRATORS": node.ADMIN,
           "AMQP_URL": node.amqp_url("ops", secrets.token_urlsafe(18), VHOST)}
    for service in SERVICES:
        env[f"{service.upper()}_AMQP_URL"] = node.amqp_url(
            service, secrets.token_urlsafe(18), VHOST)
    return env


@dataclass
class Stack:
    env: dict[str, str]
    ports: dict[str, int]
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    # Each kind of run keeps its own logs (tests read LOG_DIR; bench and chaos pass theirs).
    log_dir: Path = LOG_DIR

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def pids(self) -> dict[str, int]:
        return {name: proc.pid for name, proc in self.procs.items()}

    def migrate(self) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for old_log in self.log_dir.glob("*.log"):
            old_log.unlink()
        for name, argv in migrate_processes(sys.executable):
            done = subprocess.run(argv, env=self.env, cwd=REPO, check=False,
                                  capture_output=True, text=True, timeout=120)
            (self.log_dir / f"{name}.log").write_text(done.stdout + done.stderr)
            if done.returncode != 0:
                raise RuntimeError(f"{name} exited with {done.returncode}: "
                                   f"{(done.stderr or done.stdout).strip()[-1500:]}")

    def start(self, name: str) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        with (self.log_dir / f"{name}.log").open("ab") as log:  # the child keeps its own copy
            self.procs[name] = subprocess.Popen(
                COMMANDS[name],
                env=self.env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
            )

    def start_all(self) -> None:
        for name in COMMANDS:
            self.start(name)
        for name in ("sandbox", "claims", "payouts", "billing"):
            self.wait_ready(name)

    def wait_ready(self, name: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        url = self.url(name) + "/readyz"
        while time.monotonic() < deadline:
            self._fail_if_dead()
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"{name} not ready at {url}; see {self.log_dir}")

    def _fail_if_dead(self) -> None:
        for name, proc in self.procs.items():
            if proc.poll() is not None:
                raise RuntimeError(
                    f"{name} exited with {proc.returncode}; see {self.log_dir}/{name}.log"
                )

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        proc = self.procs.pop(name)
        proc.send_signal(sig)
        proc.wait(timeout=30)

    def stop_all(self) -> None:
        for proc in self.procs.values():
            proc.send_signal(signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.procs.clear()


def stack_env(
    run_id: str, broker: dict[str, str], db_url: dict[str, str], *, sandbox_db: str,
) -> tuple[dict[str, str], dict[str, int]]:
    """The environment of a private stack; ``broker`` is ``broker_env(node)``; ``sandbox_db``
    the provider sandbox's own database (a run kills its PostgreSQL only if the bank's is
    elsewhere: chaos puts it on another server)."""
    ports = {name: free_port() for name in ("claims", "payouts", "billing", "sandbox",
                                            "claims-worker", "payouts-worker", "billing-worker")}
    env = dict(os.environ)
    env.update(
        {
            "MQ_NAMESPACE": f"t{run_id}e2e.",
            **broker,
            "MQ_RETRY_DELAYS_MS": "[200, 500]",
            "LOG_LEVEL": "INFO",
            "CLAIMS_PORT": str(ports["claims"]),
            "PAYOUTS_PORT": str(ports["payouts"]),
            "BILLING_PORT": str(ports["billing"]),
            "CLAIMS_WORKER_METRICS_PORT": str(ports["claims-worker"]),
            "PAYOUTS_WORKER_METRICS_PORT": str(ports["payouts-worker"]),
            "BILLING_WORKER_METRICS_PORT": str(ports["billing-worker"]),
            "SANDBOX_PORT": str(ports["sandbox"]),
            "CLAIMS_DATABASE_URL": db_url["claims"],
            "PAYOUTS_DATABASE_URL": db_url["payouts"],
            "BILLING_DATABASE_URL": db_url["billing"],
            "SANDBOX_DATABASE_URL": sandbox_db,
            "PAYOUTS_CONCOURSE_BASE_URL": f"http://127.0.0.1:{ports['sandbox']}/tsapi/v1/concourse",
            "PAYOUTS_CALLBACK_BASE_URL": f"http://127.0.0.1:{ports['payouts']}",
            "SANDBOX_JPM_CLIENT_URL": f"http://127.0.0.1:{ports['payouts']}/v1/callbacks/jpm",
            "SANDBOX_LOB_WEBHOOK_URL": f"http://127.0.0.1:{ports['payouts']}/v1/callbacks/check",
            "PROVIDER_WEBHOOK_SECRET": "e2e-webhook-secret-0123456789abcdef",
            "PAYOUTS_SUBMIT_LEASE_S": "3",
            "PAYOUTS_POLL_INTERVAL_S": "1",
            # The bank's paid-items report pays checks: read it often, as the tests wait on it.
            "PAYOUTS_CHECKS_INTERVAL_S": "1",
            "SANDBOX_SETTLE_DELAY_MS": "200",
            "BILLING_GATEWAY_BASE_URL": f"http://127.0.0.1:{ports['sandbox']}/gateway/v1",
        }
    )
    return env, ports
