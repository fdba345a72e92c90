"""How long Ctrl-C takes to stop the local stack (`make dev`), every process of it.

    python -m bench.shutdown [--iterations 3]      (make bench-shutdown)

Each iteration starts the stack as `make dev` does (`python -m devstack`, on free ports,
in a new session so that it and its children are one process group, as a terminal's
foreground job is), waits for its banner and a healthy API, then does what Ctrl-C does:
SIGINT to the whole process group. It measures the time until no process of the group
is left (zombies do not count: they hold nothing), and how many processes there were.

Baseline, in the same run and the same way: a Python process that only sleeps, so the
ratio says how far the stack is from the floor (signal delivery and interpreter exit)
on this machine at this moment. The target is 2 s, which the ratio does not change.
The last line printed is one JSON object with every figure.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from devstack.aws import free_port  # noqa: E402
from devstack.shutdown import child_environment  # noqa: E402

READY = "Ctrl-C stops everything"
TARGET_SECONDS = 2.0


def group_members(pgid: int) -> list[int]:
    """Live (not zombie) processes of the process group, read from /proc."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid pgrp ...: comm may hold spaces, so split after its ')'.
        state, _ppid, pgrp = stat.rsplit(")", 1)[1].split()[:3]
        if int(pgrp) == pgid and state != "Z":
            members.append(int(entry.name))
    return members


def interrupt_and_time(process: subprocess.Popen, timeout: float = 60) -> float:
    pgid = process.pid
    started = time.monotonic()
    os.killpg(pgid, signal.SIGINT)
    while group_members(pgid):
        if time.monotonic() - started > timeout:
            os.killpg(pgid, signal.SIGKILL)
            raise RuntimeError(f"still running {timeout:.0f} s after SIGINT")
        process.poll()  # reap the leader so that it stops counting as soon as it exits
        time.sleep(0.01)
    elapsed = time.monotonic() - started
    process.wait(timeout=5)
    return elapsed


def start_stack(state_dir: str) -> tuple[subprocess.Popen, int, str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "devstack", "--port", str(port), "--site-port", str(free_port()),
         "--moto-port", str(free_port()), "--carrier-port", str(free_port()), "--operator", "scripted",
         "--state-dir", state_dir],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
        env=child_environment(dict(os.environ)),
    )
    ready = threading.Event()
    output: list[str] = []

    def read() -> None:
        for line in process.stdout:
            output.append(line)
            if READY in line:
                ready.set()
        ready.set()

    threading.Thread(target=read, daemon=True).start()
    if not ready.wait(300) or process.poll() is not None:
        os.killpg(process.pid, signal.SIGKILL)
        raise RuntimeError("the local stack did not come up:\n" + "".join(output[-40:]))
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=30) as response:
        assert response.status == 200
    return process, len(group_members(process.pid)), "".join(output)


def baseline() -> float:
    # As the stack does, it takes SIGINT even if this benchmark was started with it ignored.
    sleeper = "import signal, time; signal.signal(signal.SIGINT, signal.default_int_handler); time.sleep(600)"
    process = subprocess.Popen([sys.executable, "-c", sleeper], start_new_session=True,
                               stderr=subprocess.DEVNULL)  # its KeyboardInterrupt traceback
    time.sleep(0.5)  # past the interpreter's start, so SIGINT lands in the sleep
    return interrupt_and_time(process)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=3)
    args = parser.parse_args(argv)
    stops, floors, sizes = [], [], []
    for n in range(1, args.iterations + 1):
        with tempfile.TemporaryDirectory(prefix="ringback-bench-stop-") as state_dir:
            process, size, _ = start_stack(state_dir)
            stop = interrupt_and_time(process)
        floor = baseline()
        stops.append(stop), floors.append(floor), sizes.append(size)
        print(f"iteration {n}: {size} processes stopped in {stop:.2f} s after SIGINT "
              f"(baseline: a sleeping python, {floor:.2f} s; ratio {stop / floor:.1f})")
    median_stop, median_floor = statistics.median(stops), statistics.median(floors)
    print(f"median: {median_stop:.2f} s (max {max(stops):.2f} s; target {TARGET_SECONDS:.0f} s), "
          f"{median_stop / median_floor:.1f}x the baseline")
    print(json.dumps({
        "benchmark": "shutdown", "iterations": args.iterations, "processes": sizes,
        "stop_seconds": [round(s, 3) for s in stops], "baseline_seconds": [round(f, 3) for f in floors],
        "median_stop_seconds": round(median_stop, 3), "max_stop_seconds": round(max(stops), 3),
        "median_ratio_to_baseline": round(median_stop / median_floor, 1),
        "target_seconds": TARGET_SECONDS, "within_target": max(stops) <= TARGET_SECONDS,
    }))
    return 0 if max(stops) <= TARGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
