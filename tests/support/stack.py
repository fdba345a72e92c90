"""The local stack as `make dev` starts it, for tests that drive it over HTTP."""
import json
import os
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
from devstack.shutdown import child_environment

REPO = Path(__file__).resolve().parents[2]
# How long a test waits for an event of the local stack (a webhook, a status, a report
# row): wide, because a busy 2-core machine may run another suite beside this one. A wait
# ends as soon as its event is seen, so the headroom costs nothing when things go well.
EVENT_SECONDS = 60
# How long a test's request to the local stack may take: more than API Gateway's 29 s, so a
# request the stack would answer in AWS is never cut short by a busy machine.
REQUEST_SECONDS = 45


class Stack:
    # A busy machine may also be synthesizing the CDK app for a changed tree (~12 s idle).
    READY_SECONDS = 240

    def __init__(self, tmp_path, clock_scale: float | None = None, template=None, demo_traffic: bool = False):
        # Free ports are picked here and bound by the stack's processes a moment later;
        # another process may take one in between, so a stack that could not bind its
        # ports is started again on others.
        # `make dev` places demo traffic once it is up; a test counts what it makes itself,
        # so its stack starts without, unless the test is about that traffic.
        self.demo_traffic = demo_traffic
        for _ in range(3):
            if self._start(tmp_path, clock_scale, template):
                return
            if "Address already in use" not in "".join(self.output):
                break
        pytest.fail("the local stack did not come up:\n" + "".join(self.output))

    def _start(self, tmp_path, clock_scale, template) -> bool:
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
             *(["--clock-scale", str(clock_scale)] if clock_scale else []),
             # The synthesized template whose IAM policies the functions run with.
             *(["--template", str(template)] if template else []),
             *([] if self.demo_traffic else ["--no-demo-traffic"])],
            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            # If this test run is killed, the stack goes with it (devstack/shutdown.py).
            env=child_environment(dict(os.environ)),
        )
        self.output = []
        ready = threading.Event()

        def read():
            for line in self.process.stdout:
                self.output.append(line)
                if "Ctrl-C stops everything" in line:
                    ready.set()
            ready.set()  # the process ended: nothing more will come

        threading.Thread(target=read, daemon=True).start()
        up = ready.wait(self.READY_SECONDS) and any("Ctrl-C stops everything" in line for line in self.output)
        if not up or self.process.poll() is not None:
            self.stop()
            return False
        banner = "".join(self.output)
        match = re.search(r"user pool (\S+), client ([^\s;)]+)", banner)
        self.user_pool_id, self.client_id = match.group(1), match.group(2)
        # The demo tenant, as the stack set it up through the API (ids of its own making).
        demo = re.search(r"demo tenant\s+(\S+): site (\S+) \(site key (\S+)\), pool (\S+)", banner)
        self.tenant_id, self.site_id, self.site_key, self.pool_id = demo.groups()
        return True

    def iam_denials(self) -> list[dict]:
        """Every request the local AWS refused a function for its IAM policy."""
        with urllib.request.urlopen(f"{self.moto_url}/_ringback/iam/denials", timeout=30) as response:
            return json.loads(response.read())

    def stop(self, expect_denials: bool = False):
        """Stop the stack. Whatever the tests did with it, no function may have been
        refused by IAM (in AWS that request would have failed), unless a test says so."""
        denials = []
        if self.process.poll() is None:
            if not expect_denials and getattr(self, "user_pool_id", None):
                denials = self.iam_denials()
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
        assert not denials, f"the local AWS refused functions what IAM would refuse them: {denials}"
        return self.process.returncode


def id_token(stack, email=None, password=None) -> str:
    """An ID token for a dashboard user (the demo owner unless told), signed in as the
    dashboard signs in: with SRP, the only flow its app client allows."""
    from devstack.demo import DEMO_EMAIL, DEMO_PASSWORD

    pool = aws.UserPool(stack.user_pool_id, stack.client_id, aws.REGION, stack.moto_url)
    return aws.sign_in(aws.local_settings(stack.moto_url, stack.url), pool, email or DEMO_EMAIL,
                       password or DEMO_PASSWORD)


def get(url, headers=None, method="GET"):
    request = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_SECONDS) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()
