"""Pool health from the command line, for operators: every pool of a site or tenant, or one.

    python functions/pool/cli.py --tenant demo [--hours 24] [--target 0.01] [--json]
    python functions/pool/cli.py --pool POOL_ID

It reads the same settings as the functions (from the environment); against the local
stack, `eval "$(.venv/bin/python -m devstack.env)"` sets them.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ringback.accounts.tenants import TenantScope  # noqa: E402
from ringback.bootstrap import services  # noqa: E402
from ringback.tracking import sizing  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Report pool utilisation, overflow and the size needed.")
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--tenant", help="every pool of every site of this tenant")
    which.add_argument("--pool", help="one pool")
    parser.add_argument("--hours", type=float, default=24.0)
    parser.add_argument("--target", type=float, default=0.01, help="acceptable probability of a shared/default number")
    parser.add_argument("--json", action="store_true", help="one JSON object per pool")
    args = parser.parse_args(argv)

    svc = services()
    if args.pool:
        pool = svc.routing.pool(args.pool)
        if pool is None:
            parser.error(f"no pool {args.pool!r}")
        pools = [pool]
    else:
        pools = [p for site in svc.sites.for_tenant(args.tenant) for p in svc.pools.for_site(site.site_id)]
    now = svc.clock.now_ms()
    for pool in pools:
        # An operator reads any tenant; the scope is that of the pool's own tenant.
        scope = TenantScope(pool.tenant_id, "operator", frozenset({pool.tenant_id}))
        health = sizing.report(scope, svc.routing, svc.pools, svc.leases, pool.pool_id, now, args.hours, args.target)
        if args.json:
            print(json.dumps(health.as_json()))
        else:
            print(
                f"{pool.pool_id}: {health.size} numbers, {health.leases} leases in {args.hours:g} h, "
                f"utilisation {health.utilisation:.1%}, peak {health.peak_concurrent} concurrent, "
                f"overflow {health.overflow_count}, shared {health.shared_leases}, "
                f"load {health.offered_load_erlangs:.2f} erlangs, P(all busy) {health.blocking_probability:.2%}, "
                f"needs {health.recommended_size} for {args.target:.1%}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
