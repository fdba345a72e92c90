"""The local stack as `make dev` starts it, for tests that drive it over HTTP."""
import json
import re
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from devstack import aws

REPO = Path(__file__).resolve().parents[2]


class Stack:
    def __init__(self, tmp_path, clock_scale: float | None = None):
        self.port, self.site_port, self.moto_port = aws.free_port(), aws.free_port(), aws.free_port()
        self.carrier_port = aws.free_port()
        self.carrier_url = f"http://127.0.0.1:{self.carrier_port}"
        self.url = f"http://127.0.0.1:{self.port}"
        self.site_url = f"http://localhost:{self.site_port}"
        self.moto_url = f"http://127.0.0.1:{self.moto_port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "devstack", "--port", str(self.port), "--site-port", str(self.site_port),
             "--moto-port", str(self.moto_port), "--carrier-port", str(self.carrier_port),
             # The phone network runs 100x faster than real time: configuration, not a second path.
             "--time-scale", "0.01", "--operator", "scripted", "--state-dir", str(tmp_path),
             # The product's clock (and so the callback workflow's waits) may run faster too.
             *(["--clock-scale", str(clock_scale)] if clock_scale else [])],
            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        self.output = []
        ready = threading.Event()

        def read():
            for line in self.process.stdout:
                self.output.append(line)
                if "Ctrl-C stops everything" in line:
                    ready.set()

        threading.Thread(target=read, daemon=True).start()
        if not ready.wait(90):
            self.stop()
            pytest.fail("the local stack did not come up:\n" + "".join(self.output))
        banner = "".join(self.output)
        match = re.search(r"user pool (\S+), client (\S+)\)", banner)
        self.user_pool_id, self.client_id = match.group(1), match.group(2)

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        return self.process.returncode


def get(url, headers=None, method="GET"):
    request = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()
