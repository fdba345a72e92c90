"""make bench-leases: the lease allocator against the local stack, and a naive baseline.

Bursts of 32 simultaneous visitors take lines from pools of 10, 100 and 1000 numbers on
moto (over HTTP, through the real PynamoDB adapter). Bursts are spaced on a simulated
clock so the offered load is 80% of the pool: lines are freed and re-leased throughout,
as in production. The pools have the product's default exhaustion policy, share_oldest:
a visitor who finds the pool full shares a held line, flagged (a pool of 10 cannot serve
a burst of 32 exclusively). The same run measures a naive allocator: read the pool, take
the first free line, conditional write, re-read on a lost race; it shares nothing, so
its overflow is shown the site's own number. A burst's 32 visitors arrive within one
second (--spread-ms, default 1000): still far more than a pool of 10 serves, but not the
same instant. With --spread-ms 0 they all read before any of them writes, the race stress
for double leases; there every loser pays a failed write, so no read-then-conditional-
write allocator costs less than 2 + (32 - free lines)/32 requests (2.7 at a pool of 10).

Figures: allocations/s, p50 and p99 latency, DynamoDB requests and items read per
allocation, leases granted (shared ones among them), overflow (no line at all), double
leases (two unflagged leases of one line at one instant) and code clashes (two leases of
one line at one instant showing one code), the last two counted afterwards from the
lease history in DynamoDB. The last line is one JSON object.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "functions"), str(REPO)]

from devstack import aws  # noqa: E402
from ringback.adapters import dynamo  # noqa: E402
from ringback.adapters.dynamo_leases import DynamoLeaseStore  # noqa: E402
from ringback.adapters.tables import PoolSlotRecord, bind_tables  # noqa: E402
from ringback.tracking.leases import Allocator, Lease, LeaseRequest  # noqa: E402
from ringback.tracking.pools import Pool  # noqa: E402

T0 = 1_800_000_000_000
LEASE_SECONDS = 180


class NaiveAllocator:
    """The baseline: read every line of the pool, take the first free one."""

    def __init__(self, store: DynamoLeaseStore) -> None:
        self.store = store
        self.items_read = 0
        self._lock = threading.Lock()

    def allocate(self, pool: Pool, session_id: str, visitor_key: str, now_ms: int, retain_until_ms: int):
        for _ in range(20):
            self.store.meter.add()
            slots = list(PoolSlotRecord.by_pool_free_at.query(pool.pool_key(0)))
            with self._lock:
                self.items_read += len(slots)
            free = sorted(s.line for s in slots if int(s.free_at) <= now_ms)
            if not free:
                return None
            lease = Lease(session_id, free[0], pool.pool_id, pool.tenant_id, now_ms,
                          now_ms + pool.lease_seconds * 1000)
            if self.store.take(LeaseRequest(lease, pool.pool_key(0), visitor_key, retain_until_ms), now_ms):
                return lease
        return None


class CountingAllocator:
    def __init__(self, store: DynamoLeaseStore) -> None:
        self._allocator = Allocator(store)
        self.items_read = 0
        self._lock = threading.Lock()
        self._store = store
        original = store.lines

        def lines(pool_key, limit):
            found = original(pool_key, limit)
            with self._lock:
                self.items_read += len(found)
            return found

        store.lines = lines

    def allocate(self, pool, session_id, visitor_key, now_ms, retain_until_ms):
        return self._allocator.allocate(pool, session_id, visitor_key, now_ms, retain_until_ms).lease


def run(name: str, make_allocator, pool_size: int, waves: int, workers: int, spread_ms: int = 0) -> dict:
    pools = dynamo.DynamoPools()
    pool = Pool(f"{name}-{pool_size}", "bench", "bench-site", name, lease_seconds=LEASE_SECONDS,
                exhaustion_policy="share_oldest")
    pools.save(pool)
    area = {"ringback": 200, "naive": 300}[name] + len(str(pool_size))  # distinct fictional numbers per run
    pools.add_numbers(pool, [f"+1{area}555{i:04d}" for i in range(pool_size)], T0)
    store = DynamoLeaseStore()
    allocator = make_allocator(store)
    # Each wave is `workers` visitors arriving at one simulated instant: a barrier releases
    # them together, and with `spread_ms` each then waits a random part of it, so that not
    # every read lands before every write (throughput then counts the waits too). Waves are
    # spaced so the offered load is 80% of the pool.
    gap_ms = int(LEASE_SECONDS * 1000 * workers / (0.8 * pool_size))
    barrier = threading.Barrier(workers)
    latencies, granted, overflow, failures = [], [], [0], []
    lock = threading.Lock()

    def visitor(worker: int) -> None:
        arrivals = random.Random(worker)  # the same arrival pattern for both allocators
        for wave in range(waves):
            now = T0 + wave * gap_ms
            barrier.wait()
            if spread_ms:
                time.sleep(arrivals.uniform(0, spread_ms / 1000))
            started = time.perf_counter()
            try:
                lease = allocator.allocate(pool, f"{name}-{pool_size}-{wave}-{worker}", f"bench#{wave}-{worker}",
                                           now, now + 86_400_000)
            except Exception as error:  # counted and reported, never silently lost
                with lock:
                    failures.append(repr(error))
                continue
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if lease is None:
                    overflow[0] += 1
                else:
                    granted.append(lease)

    allocations = waves * workers
    threads = [threading.Thread(target=visitor, args=(i,)) for i in range(workers)]
    wall = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - wall

    double, clashes = _overlaps(store.history_of_pool(pool.pool_id, 0, T0 + 10**12))
    latencies.sort()
    return {
        "allocator": name,
        "pool_size": pool_size,
        "allocations": allocations,
        "failures": len(failures),
        "granted": len(granted),
        "shared": sum(1 for lease in granted if lease.shared),
        "overflow": overflow[0],
        "allocations_per_s": round(allocations / wall, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 2),
        "requests_per_allocation": round(store.meter.count / allocations, 2),
        "items_read_per_allocation": round(allocator.items_read / allocations, 1),
        "double_leases": double,
        "code_clashes": clashes,
    }


def _overlaps(history) -> tuple[int, int]:
    """From what DynamoDB recorded: unflagged leases of one line that overlap (double
    leases: a flagged share is the policy, not a fault), and overlapping leases of one
    line showing one code (the caller's code could not tell them apart)."""
    by_line: dict[str, list] = {}
    for entry in history:
        by_line.setdefault(entry.line, []).append(entry)
    double = clashes = 0
    for entries in by_line.values():
        entries.sort(key=lambda e: e.started_at)
        exclusive_end = None
        for entry in (e for e in entries if not e.shared):
            if exclusive_end is not None and entry.started_at < exclusive_end:
                double += 1
            exclusive_end = max(exclusive_end or 0, entry.ended_at)
        for i, entry in enumerate(entries):
            for later in entries[i + 1:]:
                if later.started_at >= entry.ended_at:
                    break
                clashes += later.code is not None and later.code == entry.code
    return double, clashes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--waves", type=int, default=4, help="bursts of --workers simultaneous visitors")
    parser.add_argument("--workers", type=int, default=32)
    parser.add_argument("--sizes", default="10,100,1000")
    parser.add_argument("--spread-ms", type=int, default=1000,
                        help="spread each burst's arrivals over this much real time (0: all at once)")
    args = parser.parse_args()

    server = aws.MotoServer(aws.free_port()).start()
    try:
        os.environ.update(aws.LOCAL_CREDENTIALS)
        settings = aws.local_settings(server.url, "http://127.0.0.1:1", stage="bench")
        aws.create_tables(settings)
        bind_tables(settings.table_names(), settings.region, settings.aws_endpoint_url)
        results = []
        for size in (int(s) for s in args.sizes.split(",")):
            for name, factory in (("ringback", CountingAllocator), ("naive", NaiveAllocator)):
                result = run(name, factory, size, args.waves, args.workers, args.spread_ms)
                results.append(result)
                print(
                    f"{name:9} pool {size:5}: {result['allocations_per_s']:7.1f} alloc/s  "
                    f"p50 {result['p50_ms']:7.2f} ms  p99 {result['p99_ms']:8.2f} ms  "
                    f"{result['requests_per_allocation']:5.2f} req/alloc  "
                    f"{result['items_read_per_allocation']:7.1f} items/alloc  "
                    f"shared {result['shared']:3}  overflow {result['overflow']:3}  failures {result['failures']}  "
                    f"double leases {result['double_leases']}  code clashes {result['code_clashes']}",
                    flush=True,
                )
        ours = {r["pool_size"]: r for r in results if r["allocator"] == "ringback"}
        naive = {r["pool_size"]: r for r in results if r["allocator"] == "naive"}
        ratios = {
            size: {
                "throughput_x": round(ours[size]["allocations_per_s"] / naive[size]["allocations_per_s"], 2),
                "requests_ratio": round(naive[size]["requests_per_allocation"]
                                        / ours[size]["requests_per_allocation"], 2),
                "items_ratio": round(naive[size]["items_read_per_allocation"]
                                     / max(ours[size]["items_read_per_allocation"], 0.1), 1),
            }
            for size in ours
        }
        print(f"ringback vs naive, same run: {ratios}")
        print(json.dumps({"bench": "leases", "workers": args.workers, "spread_ms": args.spread_ms,
                          "results": results, "ratios": ratios}))
    finally:
        server.stop()


if __name__ == "__main__":
    main()
