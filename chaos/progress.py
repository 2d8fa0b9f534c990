"""When the platform last moved, so a chaos run waits as long as it keeps moving.

A fixed wall-clock deadline failed a small run on a busy machine although nothing was stuck:
the flows were only slow. Clients give up, and the run ends, when nothing has moved for
``stall_s`` seconds: no API answered a request, no fault finished, no flow ended.
"""

from __future__ import annotations

import time


class Progress:
    def __init__(self, stall_s: float) -> None:
        self.stall_s = stall_s
        self._last = time.monotonic()

    def moved(self) -> None:
        self._last = time.monotonic()

    def idle_s(self) -> float:
        return time.monotonic() - self._last

    @property
    def stalled(self) -> bool:
        return self.idle_s() > self.stall_s
