"""Benchmark of a callback's first leg on the local stack: from POST /v1/callbacks to the
operator's phone being dialled.

    python -m bench.callback [--requests 200] [--rate 10]          (make bench-callback)

The local stack runs as `make dev` runs it. Each request is a new visitor number from a
new address, posted at a steady rate; the time measured is from just before the POST to
the moment the local carrier received the operator leg's create-call request (its REST
`Calls.create`, stamped on arrival: GET /_carrier/created-calls). In between: the
request's checks and writes, StartExecution, the state machine's first Lambda task (the
plan), its waitForTaskToken task (ring: stores the round, places the call), each task
reached over HTTP as Lambda's Invoke API. That is the system's overhead before a phone
rings; the target is p95 under 500 ms.

Baseline, in the same process and interleaved with the requests: GET /health through the
same local gateway (one Lambda handler, no storage), since these machines are noisy.
Figures are printed, then one JSON line.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "functions")]

from devstack import viewers  # noqa: E402
from devstack.demo import DEMO_DESTINATION  # noqa: E402


def call(method: str, url: str, body=None, headers=None, source: str | None = None) -> tuple[int, dict | list | None]:
    """`source`: the loopback address to connect from, the visitor's address as the local
    edge sees it (devstack/viewers.py), since it believes no CloudFront-Viewer header."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    with (viewers.opener(source).open if source else urllib.request.urlopen)(request, timeout=30) as response:
        raw = response.read()
        return response.status, json.loads(raw) if raw else None


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--rate", type=float, default=2.0,
                        help="requests per second (a busy site sees a few a minute; "
                             "the whole local stack shares 2 cores)")
    args = parser.parse_args(argv)

    from tests.support.stack import Stack

    with tempfile.TemporaryDirectory() as state:
        stack = Stack(Path(state))
        try:
            return run(stack, args)
        finally:
            stack.stop()


def run(stack, args) -> int:
    headers = {"Origin": stack.site_url}
    # The operator does not pick up: each workflow then waits to retry, so the carrier
    # is not flooded with bridges while the benchmark measures the first leg.
    call("POST", f"{stack.carrier_url}/_carrier/script",
         {"number": DEMO_DESTINATION, "party": {"outcome": "no-answer"}})
    # Visitors may be called at any hour here, so the figures do not depend on the time of day.
    import boto3

    boto3.client("dynamodb", endpoint_url=stack.moto_url, region_name="us-east-1", aws_access_key_id="local",
                 aws_secret_access_key="local").update_item(
        TableName="ringback-local-sites", Key={"site_id": {"S": stack.site_id}},
        UpdateExpression="SET settings = :s, working_hours = :h",
        ExpressionAttributeValues={":s": {"S": json.dumps({"callback": {
            "enabled": True, "countries": ["US"], "visitor_hours": ["00:00", "24:00"], "ring_seconds": 60}})},
            ":h": {"S": "{}"}})  # before any public request, so no cache holds the old settings

    posted: dict[str, float] = {}
    post_ms: list[float] = []
    health_ms: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def one(n: int) -> None:
        body = {"siteKey": stack.site_key, "phone": f"+1212555{1000 + n % 9000:04d}", "country": "US"}
        # One visitor per address, as CloudFront would name them, under the per-IP limit.
        request_headers = {**headers, "Idempotency-Key": f"bench-{n:06d}-{int(time.time())}"}
        source = f"127.51.{n // 250}.{n % 250 + 1}"
        t0 = time.time()
        try:
            status, answer = call("POST", f"{stack.url}/v1/callbacks", body, request_headers, source)
        except Exception as error:  # noqa: BLE001 - reported below
            with lock:
                errors.append(f"{n}: {error}")
            return
        with lock:
            post_ms.append((time.time() - t0) * 1000)
            posted[answer["requestId"]] = t0

    # Warm-up: the first request pays for imports and connections in every process.
    one(8_999)
    time.sleep(2)
    posted.clear(), post_ms.clear()
    threads = []
    interval = 1.0 / args.rate
    start = time.monotonic()
    for n in range(args.requests):
        t = time.monotonic()
        call("GET", f"{stack.url}/health")
        health_ms.append((time.monotonic() - t) * 1000)
        thread = threading.Thread(target=one, args=(n,))
        thread.start()
        threads.append(thread)
        time.sleep(max(0.0, start + (n + 1) * interval - time.monotonic()))
    for thread in threads:
        thread.join()

    deadline = time.monotonic() + 60
    first_leg: dict[str, float] = {}
    while time.monotonic() < deadline:
        _, created = call("GET", f"{stack.carrier_url}/_carrier/created-calls")
        for entry in created:
            rid = entry["url"].split("request=")[-1].split("&")[0]
            if rid in posted and rid not in first_leg and entry["to"] == DEMO_DESTINATION:
                first_leg[rid] = (entry["at"] - posted[rid]) * 1000
        if len(first_leg) == len(posted):
            break
        time.sleep(0.5)

    dial = list(first_leg.values())
    # Latency by quarter of the run: a stack that slows down as work piles up shows here.
    in_order = [first_leg[rid] for rid, _ in sorted(posted.items(), key=lambda item: item[1]) if rid in first_leg]
    quarter = max(1, len(in_order) // 4)
    quarters = [round(percentile(in_order[i:i + quarter], 95), 1) for i in range(0, len(in_order), quarter)][:4]
    missing = len(posted) - len(first_leg)
    health = statistics.median(health_ms)
    figures = {
        "requests": args.requests,
        "rate_per_s": args.rate,
        "accepted": len(posted),
        "errors": len(errors),
        "never_dialled": missing,
        "post_to_operator_dial_ms": {"p50": round(percentile(dial, 50), 1), "p95": round(percentile(dial, 95), 1),
                                     "max": round(max(dial), 1)},
        "post_answer_ms": {"p50": round(percentile(post_ms, 50), 1), "p95": round(percentile(post_ms, 95), 1)},
        "p95_by_quarter_ms": quarters,
        "baseline_health_ms": {"p50": round(health, 1)},
        "ratio_p95_to_baseline": round(percentile(dial, 95) / health, 1),
        "target_p95_ms": 500,
        "within_target": percentile(dial, 95) < 500 and missing == 0 and not errors,
    }
    print(f"callback first leg, {args.requests} requests at {args.rate}/s on the local stack")
    print(f"  POST -> operator dialled   p50 {figures['post_to_operator_dial_ms']['p50']} ms, "
          f"p95 {figures['post_to_operator_dial_ms']['p95']} ms, max {figures['post_to_operator_dial_ms']['max']} ms"
          f"   (target p95 < 500 ms)")
    print(f"  p95 by quarter of the run  {quarters} ms")
    print(f"  POST answered (202)        p50 {figures['post_answer_ms']['p50']} ms, "
          f"p95 {figures['post_answer_ms']['p95']} ms")
    print(f"  baseline GET /health       p50 {health:.1f} ms   "
          f"(p95 dial / baseline = {figures['ratio_p95_to_baseline']}x)")
    if errors or missing:
        print(f"  errors {len(errors)}, never dialled {missing}: {errors[:3]}")
    print(json.dumps(figures))
    return 0 if figures["within_target"] else 1


if __name__ == "__main__":
    sys.exit(main())
