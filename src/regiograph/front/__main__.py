"""``python -m regiograph.front LISTENING_FD UPSTREAM [--app]``: the front as its own process
(:func:`regiograph.front.spawn` starts it)."""

from __future__ import annotations

import asyncio
import logging
import pickle
import signal
import socket
import sys

from regiograph.front import Front
from regiograph.front.inprocess import local_app


def main(argv: list[str]) -> int:
    """``python -m regiograph.front LISTENING_FD UPSTREAM [--app]``: serve until SIGTERM or
    SIGINT; with ``--app``, /sparql too (the app's settings as a pickle on standard input)."""
    listener = socket.socket(fileno=int(argv[0]))
    local = None
    if argv[2:] == ["--app"]:
        host, port = listener.getsockname()[:2]
        spec = pickle.loads(sys.stdin.buffer.read())  # noqa: S301 - our parent, a pipe
        local = local_app(spec, (host, str(port)))
    else:
        logging.basicConfig(level=logging.WARNING)
    front = Front(listener, argv[1], local)

    async def run() -> None:
        stopped = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stopped.set)
        await front.serve(stopped)

    try:
        asyncio.run(run())
    finally:
        if local is not None:
            local.close()
    return 0


if __name__ == "__main__":  # not when a query worker of the front imports this
    sys.exit(main(sys.argv[1:]))
