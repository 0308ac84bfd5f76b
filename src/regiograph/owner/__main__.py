"""``python -m regiograph.owner``: the embedded store's owner process (started by
:class:`regiograph.store.OxigraphServer`, the supervisor; not a command for people)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from regiograph.owner.serve import serve
from regiograph.owner.writes import Owner

# The write credential comes in the environment, not argv: other users can read argv.
TOKEN_ENV = "REGIOGRAPH_STORE_TOKEN"  # noqa: S105 (a variable name, not a secret)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m regiograph.owner")
    parser.add_argument("--location", required=True, type=Path)
    parser.add_argument("--snapshots", required=True, type=Path)
    parser.add_argument("--bind", required=True, help="127.0.0.1:PORT")
    parser.add_argument("--timeout-s", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    token = os.environ.pop(TOKEN_ENV, "")
    if not token:
        print("no write credential in the environment", file=sys.stderr)
        return 2
    host, _, port = args.bind.rpartition(":")
    try:
        owner = Owner(args.location, args.snapshots)
    except OSError as exc:
        print(f"cannot open the store: {exc}", file=sys.stderr)
        return 3
    return serve(owner, host, int(port), token, args.timeout_s, args.workers)


if __name__ == "__main__":
    sys.exit(main())
