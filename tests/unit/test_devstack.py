"""scripts/devstack.py supervises a stack; here the stack is made of tiny stand-in processes."""

from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.ports import free_port
from tests.unit.devstack_script import devstack

REPO = Path(__file__).resolve().parents[2]
Proc = devstack.Proc

# An HTTP process: /readyz answers FAKE_STATUS (200); SIGTERM is ignored when FAKE_STUBBORN is set.
SERVER = textwrap.dedent("""
    import http.server, os, signal
    if os.environ.get("FAKE_STUBBORN"):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(int(os.environ.get("FAKE_STATUS", "200")))
            self.end_headers()
        def log_message(self, *args):
            pass
    print("serving", flush=True)
    http.server.HTTPServer(("127.0.0.1", int(os.environ["FAKE_PORT"])), Handler).serve_forever()
""")


@pytest.fixture
def port() -> int:
    return free_port()


def make(port: int, out: io.StringIO, *, grace_s: float = 5.0, **env: str) -> Any:
    return devstack.Supervisor(
        {**os.environ, "FAKE_PORT": str(port), **env},
        python=sys.executable, out=out, grace_s=grace_s,
    )


def fake_stack(*, migrate: str = "print('migrated')", worker: str = "import time; "
               "time.sleep(60)") -> list[Any]:
    return [
        Proc("fake-migrate", ("-c", migrate), one_shot=True),
        Proc("fake-api", ("-c", SERVER), http=("FAKE", 0)),
        Proc("fake-worker", ("-c", worker)),
    ]


def all_stopped(sup: Any) -> bool:
    return all(c.popen.poll() is not None for c in sup.children)


def test_the_table_describes_seven_processes_and_three_migrations() -> None:
    names = [name for name, _ in devstack.stack_processes("python")]
    assert sorted(names) == sorted([
        "claims-api", "claims-worker", "payouts-api", "payouts-worker",
        "billing-api", "billing-worker", "sandbox",
    ])
    assert [n for n, _ in devstack.migrate_processes("python")] == [
        "broker-setup", "claims-migrate", "payouts-migrate", "billing-migrate", "sandbox-migrate",
    ]
    assert all(argv[:2] == ["python", "-m"] for _, argv in devstack.stack_processes("python"))
    assert set(devstack.ready_urls({})) == {"claims-api", "payouts-api", "billing-api", "sandbox"}


def test_ready_urls_follow_the_environment() -> None:
    urls = devstack.ready_urls({"CLAIMS_HOST": "0.0.0.0", "CLAIMS_PORT": "9101"})
    assert urls["claims-api"] == "http://127.0.0.1:9101/readyz"
    assert urls["sandbox"] == "http://127.0.0.1:8009/readyz"


def test_stack_env_ties_payouts_to_the_sandbox() -> None:
    env = devstack.stack_env({"SANDBOX_PORT": "9109"})
    assert env["PAYOUTS_CONCOURSE_BASE_URL"] == "http://127.0.0.1:9109/tsapi/v1/concourse"
    assert env["PROVIDER_WEBHOOK_SECRET"] == devstack.DEV_WEBHOOK_SECRET
    assert devstack.stack_env({"PROVIDER_WEBHOOK_SECRET": "x" * 40})[
        "PROVIDER_WEBHOOK_SECRET"] == "x" * 40


def test_migrates_starts_waits_for_readiness_and_stops_cleanly(port: int) -> None:
    out = io.StringIO()
    sup = make(port, out)
    code = devstack.run_stack(sup, fake_stack(), ready_timeout=20,
                              on_ready=sup.stop.set)
    text = out.getvalue()
    assert code == 0, text
    assert "fake-migrate" in text and "| migrated" in text
    assert f"fake-api ready (http://127.0.0.1:{port}/readyz)" in text
    assert "the stack is up" in text
    assert all_stopped(sup)


def test_a_failed_migration_stops_before_anything_runs(port: int) -> None:
    out = io.StringIO()
    sup = make(port, out)
    code = devstack.run_stack(sup, fake_stack(migrate="raise SystemExit(3)"), ready_timeout=5)
    assert code == 1
    assert "fake-migrate failed (exit status 3)" in out.getvalue()
    assert [c.proc.name for c in sup.children] == ["fake-migrate"]


def test_a_process_that_dies_takes_the_stack_down(port: int) -> None:
    out = io.StringIO()
    sup = make(port, out)
    worker = "import time; time.sleep(1.5); raise SystemExit(4)"
    code = devstack.run_stack(sup, fake_stack(worker=worker), ready_timeout=20)
    assert code == 1
    assert "fake-worker exited with status 4" in out.getvalue()
    assert all_stopped(sup)


def test_not_ready_in_time_names_the_culprit(port: int) -> None:
    out = io.StringIO()
    sup = make(port, out, FAKE_STATUS="503")
    code = devstack.run_stack(sup, fake_stack(), ready_timeout=1)
    assert code == 1
    assert f"fake-api not ready after 1 s: http://127.0.0.1:{port}/readyz -> HTTP 503" in (
        out.getvalue())
    assert all_stopped(sup)


def test_refuses_to_start_on_a_busy_port(port: int) -> None:
    out = io.StringIO()
    with socket.create_server(("127.0.0.1", port)):
        code = devstack.run_stack(make(port, out), fake_stack(), ready_timeout=5)
    assert code == 1
    assert "address already in use: fake-api" in out.getvalue()


def test_a_process_ignoring_sigterm_is_killed_after_the_grace_period(port: int) -> None:
    out = io.StringIO()
    sup = make(port, out, grace_s=0.5, FAKE_STUBBORN="1")
    started = time.monotonic()
    code = devstack.run_stack(sup, fake_stack(), ready_timeout=20,
                              on_ready=sup.stop.set)
    assert code == 0
    assert "fake-api did not stop in time: SIGKILL" in out.getvalue()
    assert all_stopped(sup)
    assert time.monotonic() - started < 10


@pytest.fixture
def driver(port: int) -> Iterator[subprocess.Popen[str]]:
    """devstack's main() as a real process, over the stand-in stack."""
    code = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(REPO / "scripts")!r})
        import devstack
        devstack.STACK[:] = [
            devstack.Proc("fake-api", ("-c", {SERVER!r}), http=("FAKE", 0)),
            devstack.Proc("fake-worker", ("-c", "import time; time.sleep(60)")),
        ]
        sys.exit(devstack.main(["--skip-check", "--ready-timeout", "20"]))
    """)
    proc = subprocess.Popen(
        [sys.executable, "-c", code], env={**os.environ, "FAKE_PORT": str(port)},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        assert proc.stdout is not None
        proc.stdout.close()


def test_sigterm_stops_every_child_and_exits_zero(
    driver: subprocess.Popen[str], port: int
) -> None:
    assert driver.stdout is not None
    seen: list[str] = []
    for line in driver.stdout:
        seen.append(line)
        if "Ctrl-C stops everything" in line:
            break
    else:
        pytest.fail("".join(seen))
    driver.send_signal(signal.SIGTERM)
    assert driver.wait(timeout=20) == 0, "".join(seen)
    rest = driver.stdout.read()
    assert "stopping 2 processes" in rest
    assert not devstack._listening("127.0.0.1", port)  # the API went down with it
