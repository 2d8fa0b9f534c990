"""Tables for people, JSON for scripts; a progress bar for bulk work."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from typing import Any


def emit(rows: Sequence[dict[str, Any]], *, as_json: bool, columns: Sequence[str]) -> None:
    if as_json:
        sys.stdout.write(json.dumps(list(rows), default=str, indent=2) + "\n")
        return
    if not rows:
        print("(none)")
        return
    cells = [[str(row.get(c, "")) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    print("  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True)))
    for r in cells:
        print("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)))


class Progress:
    """``[#####.....] 50/100`` on stderr, redrawn in place; silent when stderr is not a tty."""

    def __init__(self, total: int, label: str) -> None:
        self.total, self.label, self.done = total, label, 0
        self.live = sys.stderr.isatty()

    def advance(self, n: int = 1) -> None:
        self.done += n
        if self.live:
            filled = int(30 * self.done / max(self.total, 1))
            sys.stderr.write(f"\r{self.label} [{'#' * filled}{'.' * (30 - filled)}] "
                             f"{self.done}/{self.total}")
            sys.stderr.flush()

    def close(self) -> None:
        if self.live:
            sys.stderr.write("\n")


def first(items: Iterable[Any]) -> Any:
    return next(iter(items), None)
