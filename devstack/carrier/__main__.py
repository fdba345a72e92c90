"""python -m devstack.carrier --port N: the local carrier on its own, for manual use."""
from __future__ import annotations

import argparse
import signal
import threading

from devstack.carrier import Carrier


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack.carrier", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4010)
    parser.add_argument("--account-sid", default="AC" + "0" * 32)
    parser.add_argument("--auth-token", default="local-auth-token")
    parser.add_argument("--time-scale", type=float, default=1.0, help="real seconds per simulated second")
    args = parser.parse_args(argv)
    carrier = Carrier(args.port, args.auth_token, args.account_sid, args.time_scale, args.host).start()
    print(f"local carrier on {carrier.url} (account {carrier.account_sid}, token {carrier.auth_token})", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        carrier.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
