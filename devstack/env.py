"""The local stack's environment, for shells and tools:

    eval "$(.venv/bin/python -m devstack.env)"     # then e.g. python functions/pool/cli.py --tenant demo
"""
from __future__ import annotations

import argparse
import shlex

from devstack import aws


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--moto-port", type=int, default=4566)
    args = parser.parse_args()
    settings = aws.local_settings(f"http://127.0.0.1:{args.moto_port}", f"http://127.0.0.1:{args.port}")
    for name, value in {**aws.LOCAL_CREDENTIALS, **settings.as_environment()}.items():
        print(f"export {name}={shlex.quote(value)}")


if __name__ == "__main__":
    main()
