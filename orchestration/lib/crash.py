"""Crash points: the crash-safety tests pull the plug here, as a power cut would.

``GRIP_CRASH_AT=<point>[:<n>]`` kills the process with SIGKILL the n-th time (default 1st)
it passes ``crash_point(<point>)``. When the process leads its own process group (the
tests start it that way) the whole group dies, dbt's subprocess included. Unset, a
crash point costs one dictionary lookup.
"""

from __future__ import annotations

import os
import signal

_passes: dict[str, int] = {}


def crash_point(name: str) -> None:
    spec = os.environ.get("GRIP_CRASH_AT")
    if not spec:
        return
    point, _, nth = spec.partition(":")
    if point != name:
        return
    _passes[name] = _passes.get(name, 0) + 1
    if _passes[name] == int(nth or 1):
        if os.getpgrp() == os.getpid():
            os.killpg(os.getpgrp(), signal.SIGKILL)
        os.kill(os.getpid(), signal.SIGKILL)
