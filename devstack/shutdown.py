"""Stopping the local stack fast: Ctrl-C stops `make dev` within 2 s (bench/shutdown.py).

The stack's state lives in memory (moto's, the carrier's) or in files written as they
go, so nothing is worth waiting for at shutdown: a child process exits the moment it is
told to, as Lambda's execution environment is simply killed, and the parent stops its
parts all at once instead of one after another (each server's shutdown alone waits up
to half a second for its loop to notice).

A child must also never outlive its parent: a stack killed outright (SIGKILL, a crash, a
test runner's timeout) would otherwise leave moto and its local Lambdas running, each
holding a few hundred MB, and a busy machine soon swaps (seen: 40 orphans and a load of
70 after two suites). `PARENT_ENV` names the parent that spawned a child; the child
asks the kernel to signal it when that parent dies (`die_with_parent`).
"""
from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable

# Set by a parent in its child's environment: the child ends when this process does.
PARENT_ENV = "RINGBACK_PARENT_PID"
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def child_environment(env: dict[str, str]) -> dict[str, str]:
    """`env` for a child that must end with this process. The child's side is
    `die_with_parent`; spawn it from the main thread, since the kernel's parent-death
    signal follows the thread that forked it."""
    return {**env, PARENT_ENV: str(os.getpid())}


def die_with_parent() -> None:
    """If a parent named itself in PARENT_ENV, SIGTERM this process when it dies (Linux
    prctl PR_SET_PDEATHSIG; elsewhere nothing is done), and end now if it already has."""
    parent = os.environ.get(PARENT_ENV)
    if not parent or not sys.platform.startswith("linux"):
        return
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
        return
    if os.getppid() != int(parent):  # it died before the request above took effect
        os._exit(0)


def exit_at_once_on_signal() -> None:
    """SIGINT or SIGTERM ends this process now, after flushing what it printed."""
    def exit_now(*_) -> None:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        os._exit(0)

    signal.signal(signal.SIGINT, exit_now)
    signal.signal(signal.SIGTERM, exit_now)


def stop_together(steps: Iterable[Callable[[], None]], seconds: float) -> list[str]:
    """Run every step at once and wait at most `seconds` for all of them. Returns the
    names of the steps still running then (they run on daemon threads and go with the
    process); a step's error is printed, not raised: the others must still run."""
    def run(step: Callable[[], None]) -> None:
        try:
            step()
        except Exception as error:  # noqa: BLE001 - shutting down: report and go on
            print(f"stopping {getattr(step, '__qualname__', step)}: {error}", file=sys.stderr, flush=True)

    threads = [threading.Thread(target=run, args=(step,), name=getattr(step, "__qualname__", "stop"), daemon=True)
               for step in steps]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + seconds
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    return [thread.name for thread in threads if thread.is_alive()]
