"""The e2e ``Stack`` with its own log folder (``.run/chaos/``), so a chaos run and an e2e or
bench run on the same machine never delete or mix each other's process logs."""

from __future__ import annotations

import subprocess
import sys

from scripts.devstack import migrate_processes
from tests.e2e.stack import COMMANDS, REPO, Stack

LOG_DIR = REPO / ".run" / "chaos"


class ChaosStack(Stack):
    def migrate(self) -> None:
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        for old_log in LOG_DIR.glob("*.log"):
            old_log.unlink()
        for _, argv in migrate_processes(sys.executable):
            subprocess.run(argv, env=self.env,  # noqa: S603 - the devstack table cwd=REPO, check=True, capture_output=True,
                           timeout=120)

    def start(self, name: str) -> None:
        with (LOG_DIR / f"{name}.log").open("ab") as log:  # the child keeps its own copy
            self.procs[name] = subprocess.Popen(  # noqa: S603 - the devstack table
                COMMANDS[name], env=self.env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
            )
