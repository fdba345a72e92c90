"""moto in server mode, as a child process of the local stack."""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

from devstack.aws.account import LOCAL_CREDENTIALS
from devstack.shutdown import child_environment

# The moto child answers here with the token it was started with (devstack/moto_server.py).
INSTANCE_PATH = "/_ringback/instance"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class MotoServer:
    """moto_server as a child process: AWS on 127.0.0.1, state in memory, gone on stop."""

    def __init__(self, port: int, log_path: Path | None = None, lambda_url: str | None = None,
                 enforce_iam: bool = False) -> None:
        self.port = port
        # Hold the functions' STS credentials to their roles' policies (devstack/iam.py).
        self._enforce_iam = enforce_iam
        self.url = f"http://127.0.0.1:{port}"
        self._log_path = log_path
        # Where Lambda Invoke calls from the Step Functions engine go (devstack/lambdas.py).
        self._lambda_url = lambda_url
        self._process: subprocess.Popen | None = None

    def start(self, timeout: float = 180.0) -> MotoServer:
        # Wide: a live child is waited for (one that dies fails at once, by poll() below),
        # and a 2-core machine running two suites took more than 30 s to bring one up.
        # Another process may take the port between free_port() and the child's bind; the
        # child answers with this token, so a server that is not ours is never mistaken for it.
        instance = uuid.uuid4().hex
        env = child_environment({**os.environ, **LOCAL_CREDENTIALS, "MOTO_PORT": str(self.port),
                                 "RINGBACK_MOTO_INSTANCE": instance})
        if self._lambda_url:
            env["RINGBACK_LOCAL_LAMBDA_URL"] = self._lambda_url
        if self._enforce_iam:
            env["RINGBACK_ENFORCE_IAM"] = "1"
        # The child writes to its own copy of the log's descriptor: ours is closed once it runs.
        with open(self._log_path, "ab") if self._log_path else contextlib.nullcontext(subprocess.DEVNULL) as log:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "devstack.moto_server", str(self.port)],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=Path(__file__).resolve().parents[2],
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"moto server exited with {self._process.returncode}")
            try:
                with urllib.request.urlopen(f"{self.url}{INSTANCE_PATH}", timeout=1) as answer:
                    if answer.read().decode() == instance:
                        return self
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"moto server did not answer on port {self.port} within {timeout}s")

    def stop(self) -> None:
        if self._process and self._process.poll() is None:
            self._process.terminate()
            try:
                # State is in memory and goes with the process: nothing is worth waiting for
                # (a running dial workflow's Wait would hold werkzeug's threads).
                self._process.wait(timeout=1)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
