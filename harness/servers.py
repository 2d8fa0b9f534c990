"""A PostgreSQL cluster and a RabbitMQ node of a run's own, to kill and restart at will.

Fault tests must never stop, restart or reconfigure the machine's servers: a developer's own
databases and queues live there. These start from the Debian packages' binaries into a folder of
the run's, on ports of its own (``harness.ports``), and ``kill`` them with SIGKILL: a crash, so
the next start goes through crash recovery (PostgreSQL replays its WAL; RabbitMQ recovers its
quorum queues from their logs), not only a clean restart.

Run as root (CI), the PostgreSQL binaries run as the ``postgres`` user (initdb refuses root) and
the folder is given to it; RabbitMQ runs as the caller, with its own Erlang cookie in the
folder (its HOME), so its ``rabbitmqctl`` reaches this node only.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from harness.ports import free_port

PG_BIN = Path(os.environ.get("HARNESS_PG_BIN", ""))
RABBIT_BIN = Path(os.environ.get("HARNESS_RABBITMQ_BIN", "/usr/lib/rabbitmq/bin"))


class ServerError(RuntimeError):
    pass


def postgres_cluster(prefix: str) -> PrivatePostgres:
    """A cluster in a fresh folder on a free port (not started)."""
    return PrivatePostgres(scratch(prefix), free_port())


def rabbit_node(prefix: str, *, management: bool = True) -> PrivateRabbit:
    """A node in a fresh folder, on free ports, named after the run (not started)."""
    amqp = free_port()
    return PrivateRabbit(scratch(prefix), amqp, free_port(), f"{prefix}{os.getpid()}-{amqp}",
                         management_port=free_port() if management else None)


def _pg_bin() -> Path:
    if PG_BIN.name:
        return PG_BIN
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not versions:
        raise ServerError("PostgreSQL's server binaries are not installed (Debian: "
                          "postgresql); or set HARNESS_PG_BIN to the folder of initdb")
    return versions[-1].parent


def _run(argv: list[str], *, env: dict[str, str] | None = None, timeout: float = 120) -> str:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout,  # noqa: S603
                          env=env, check=False)
    if done.returncode != 0:
        raise ServerError(f"{' '.join(argv)} failed ({done.returncode}): "
                          f"{(done.stderr or done.stdout).strip()[-800:]}")
    return done.stdout


def scratch(prefix: str) -> Path:
    """A fresh folder for a run's servers, under the system's temporary folder. Traversable by
    others (0711, nothing listable), so PostgreSQL's own user reaches its data inside it."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    folder.chmod(0o711)
    return folder


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(os.getpgid(pid), signal.SIGKILL)


def _wait_gone(pid: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # reap it if it is ours
        time.sleep(0.05)
    raise ServerError(f"process {pid} did not exit")


class PrivatePostgres:
    """A PostgreSQL cluster in ``base_dir``, on 127.0.0.1:``port``, trust auth, user postgres."""

    def __init__(self, base_dir: Path, port: int) -> None:
        self.base_dir = base_dir
        self.port = port
        self.data = base_dir / "data"
        self.sockets = base_dir / "run"
        self.log = base_dir / "postgres.log"

    def _as_owner(self, argv: list[str]) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv

    def _prepare(self) -> None:
        self.sockets.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            for path in (self.base_dir, self.sockets):
                os.chown(path, owner.pw_uid, owner.pw_gid)
        if not (self.data / "PG_VERSION").exists():
            _run(self._as_owner([str(_pg_bin() / "initdb"), "-D", str(self.data), "-U",
                                 "postgres", "-A", "trust", "-E", "UTF8", "--no-instructions"]))

    def start(self) -> None:
        if self.running():
            return
        self._prepare()
        options = (f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 "
                   "-c max_connections=300 -c fsync=on")
        _run(self._as_owner([str(_pg_bin() / "pg_ctl"), "-D", str(self.data), "-l",
                             str(self.log), "-o", options, "-w", "-t", "120", "start"]))

    def stop(self) -> None:
        if self.running():
            _run(self._as_owner([str(_pg_bin() / "pg_ctl"), "-D", str(self.data), "-m",
                                 "fast", "-w", "stop"]))

    def postmaster_pid(self) -> int | None:
        try:
            return int((self.data / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def running(self) -> bool:
        pid = self.postmaster_pid()
        if pid is None:
            return False
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True

    def kill(self) -> None:
        """SIGKILL the postmaster and every backend at once, as a crash would."""
        pid = self.postmaster_pid()
        if pid is None:
            return
        listed = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True,  # noqa: S603,S607
                                text=True, check=False, timeout=10)
        children = [int(p) for p in listed.stdout.split()]
        for victim in (pid, *children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(victim, signal.SIGKILL)
        for victim in (pid, *children):
            _wait_gone(victim)

    def url(self, database: str) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    def close(self) -> None:
        with contextlib.suppress(ServerError):
            self.stop()
        if self.running():
            self.kill()
        shutil.rmtree(self.base_dir, ignore_errors=True)


class PrivateRabbit:
    """A RabbitMQ node ``node_name@localhost`` with its data, logs and cookie in ``base_dir``,
    AMQP on 127.0.0.1:``amqp_port``, the management API on ``management_port`` (when given),
    and an administrator ``harness`` of its own (``guest`` keeps its default rights on ``/``,
    as on a fresh install, and nothing more)."""

    ADMIN = "harness"

    def __init__(self, base_dir: Path, amqp_port: int, dist_port: int, node_name: str,
                 management_port: int | None = None) -> None:
        self.base_dir = base_dir
        self.amqp_port = amqp_port
        self.dist_port = dist_port
        self.node = f"{node_name}@localhost"
        self.management_port = management_port
        self.admin_password = f"harness-{os.getpid()}-{amqp_port}"
        self._server: subprocess.Popen[bytes] | None = None

    @property
    def env(self) -> dict[str, str]:
        base = self.base_dir
        return {
            **os.environ,
            "HOME": str(base),  # its own .erlang.cookie
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.amqp_port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_MNESIA_BASE": str(base / "mnesia"),
            "RABBITMQ_LOG_BASE": str(base / "log"),
            "RABBITMQ_CONFIG_FILE": str(base / "rabbitmq"),  # rabbitmq.conf
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(base / "enabled_plugins"),
            "RABBITMQ_PID_FILE": str(base / "rabbit.pid"),
        }

    def _configure(self) -> None:
        self.base_dir.mkdir(parents=True, exist_ok=True)
        plugins = "[rabbitmq_management]." if self.management_port else "[]."
        (self.base_dir / "enabled_plugins").write_text(plugins + "\n")
        # The AMQP listener is the environment's (RABBITMQ_NODE_PORT): naming it here too would
        # start two listeners on one port.
        lines = ["log.console = false", "log.file.level = warning"]
        if self.management_port:
            lines += [f"management.tcp.port = {self.management_port}",
                      "management.tcp.ip = 127.0.0.1"]
        (self.base_dir / "rabbitmq.conf").write_text("\n".join(lines) + "\n")

    def start(self) -> None:
        if self._server is not None and self._server.poll() is None:
            return
        self._configure()
        (self.base_dir / "rabbit.pid").unlink(missing_ok=True)
        with (self.base_dir / "server.log").open("ab") as log:
            self._server = subprocess.Popen(  # noqa: S603 - the Debian package's server
                [str(RABBIT_BIN / "rabbitmq-server")], env=self.env, cwd=self.base_dir,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            self.ctl("wait", str(self.base_dir / "rabbit.pid"), "--timeout", "120",
                     timeout=150)
        except ServerError:
            self.kill()
            raise
        self.ctl("add_user", self.ADMIN, self.admin_password, allow_existing=True)
        self.ctl("set_user_tags", self.ADMIN, "administrator")
        self.ctl("set_permissions", "-p", "/", self.ADMIN, ".*", ".*", ".*")

    def ctl(self, *args: str, timeout: float = 60, allow_existing: bool = False) -> str:
        """rabbitmqctl against this node."""
        try:
            return _run([str(RABBIT_BIN / "rabbitmqctl"), "-n", self.node, "-q", *args],
                        env=self.env, timeout=timeout)
        except ServerError as exc:
            # rabbitmqctl says "already exists" (older releases: already_exists).
            if allow_existing and re.search(r"already[ _]exists", str(exc)):
                return ""
            raise

    def stop(self) -> None:
        if self._server is None or self._server.poll() is not None:
            return
        self.ctl("stop", timeout=120)
        self._server.wait(timeout=60)

    def kill(self) -> None:
        """SIGKILL the node (the Erlang VM and its helpers), as a crash would."""
        if self._server is None:
            return
        _kill_group(self._server.pid)
        self._server.wait(timeout=30)

    def restart(self) -> None:
        self.stop()
        self.start()

    def amqp_url(self, user: str, password: str, vhost: str = "/") -> str:
        path = "" if vhost == "/" else vhost
        return f"amqp://{user}:{password}@127.0.0.1:{self.amqp_port}/{path}"

    def admin_url(self, vhost: str = "/") -> str:
        return self.amqp_url(self.ADMIN, self.admin_password, vhost)

    def management_url(self) -> str:
        if not self.management_port:
            raise ServerError("this node runs without the management plugin")
        return f"http://{self.ADMIN}:{self.admin_password}@127.0.0.1:{self.management_port}"

    def close(self) -> None:
        with contextlib.suppress(ServerError, subprocess.TimeoutExpired):
            self.stop()
        self.kill()
        shutil.rmtree(self.base_dir, ignore_errors=True)
