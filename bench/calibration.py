"""make bench-calibration: where ringback.tracking.attribution.CALIBRATION comes from.

The tuning scenarios of bench.traffic (never the held-out ones) are replayed through the
product at 25 and 50 numbers per 1,000 daily visitors. For each call, the likeliest
candidate's posterior (the model's own probability, before calibration) is set beside
whether that candidate's visitor really made the call. Per answer class (a code unique in
the window, or ranked), the posteriors are binned and the share right in each bin is made
monotone (pool-adjacent violators): those are the knots. The last line is JSON.
"""
from __future__ import annotations

import json
import sys
from itertools import pairwise
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "functions"), str(REPO)]

from bench.attribution import PER_1000  # noqa: E402
from bench.geo import pool_numbers  # noqa: E402
from bench.replay import _Replay  # noqa: E402
from bench.traffic import SCENARIOS, generate  # noqa: E402

EDGES = (0.0, 0.2, 0.5, 0.7, 0.825, 0.9, 0.95, 0.97, 0.98, 0.99, 0.995, 0.999, 0.9999, 1.0001)


def observations() -> dict[str, list[tuple[float, bool]]]:
    seen: dict[str, list[tuple[float, bool]]] = {"code": [], "ranked": []}
    tuning = [s for s in SCENARIOS if not s.held_out]
    numbers = pool_numbers(max(s.daily * max(PER_1000) // 1000 for s in tuning))
    for scenario in tuning:
        trace = generate(scenario)
        for per in PER_1000:
            replay = _Replay(trace, scenario.daily * per // 1000, numbers)
            outcomes = replay.run()["calls"]
            for call in trace.calls:
                if outcomes[call.call_id].lost:
                    continue
                attribution = replay.services.calls.get(call.call_id)[1].attribution
                if not attribution.get("candidates"):
                    continue
                best = attribution["candidates"][0]
                if "called_before" in best["reasons"]:
                    continue  # carried by an earlier answer's confidence, not calibrated here
                right = call.client_id is not None and best["visitor_key"].endswith("#" + call.client_id)
                unique = "code" in best["reasons"] and attribution.get("method") == "code"
                seen["code" if unique else "ranked"].append((best["posterior"], right))
    return seen


def knots(points: list[tuple[float, bool]]) -> list[dict]:
    bins = []
    for low, high in pairwise(EDGES):
        inside = [(p, right) for p, right in points if low <= p < high]
        if inside:
            bins.append({"from": low, "to": min(high, 1.0), "n": len(inside),
                         "mean_posterior": sum(p for p, _ in inside) / len(inside),
                         "right": sum(right for _, right in inside) / len(inside)})
    # Pool adjacent violators: merge neighbours until the share right never falls.
    merged: list[dict] = []
    for b in bins:
        merged.append(dict(b))
        while len(merged) > 1 and merged[-2]["right"] > merged[-1]["right"]:
            last, before = merged.pop(), merged.pop()
            n = last["n"] + before["n"]
            merged.append({"from": before["from"], "to": last["to"], "n": n,
                           "mean_posterior": (last["mean_posterior"] * last["n"]
                                              + before["mean_posterior"] * before["n"]) / n,
                           "right": (last["right"] * last["n"] + before["right"] * before["n"]) / n})
    return merged


def main() -> None:
    result = {}
    for name, points in observations().items():
        fitted = knots(points)
        result[name] = fitted
        print(f"{name}: {len(points)} answers")
        for k in fitted:
            print(f"  posterior [{k['from']:.4f}, {k['to']:.4f})  n={k['n']:5d}  mean {k['mean_posterior']:.4f}"
                  f"  right {100 * k['right']:5.1f}%")
        print("  knots: " + ", ".join(f"({k['mean_posterior']:.4f}, {k['right']:.3f})" for k in fitted))
    print(json.dumps({"bench": "calibration", "classes": result}))


if __name__ == "__main__":
    main()
