"""The least a Python /sparql can cost, as a peer for ``sparql_proxy.py``: one asyncio loop
that reads a POSTed query (form-encoded, kept connections), hands it to one of N worker
processes over a pipe without a thread in between (the loop watches the pipe), and writes
the worker's SPARQL JSON results back. The worker runs the text on a read-only pyoxigraph
handle of a snapshot copy, as /sparql's query workers do.

Nothing else: no negotiation, no admission, no limits, no time limit (nothing is killed), no
reading of the query for SERVICE or FROM, no logs, no metrics, no error answers — so its
distance to ``oxigraph serve`` is the floor of an endpoint with a killable worker hop in
Python, and /sparql's distance to it is what the platform's own duties and its layers cost.

With ``--duties`` it also does, with the platform's own code, what /sparql must do for every
query whatever its layers: admission's bookkeeping (its per-client limits lifted, as the
benchmark lifts them), the request and query metrics, an access log line, and in the worker
the quick reading of the query's form (the check for SERVICE and FROM).

    python bench/floor_front.py PORT STORE_DIR [WORKERS] [--duties]
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import multiprocessing
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path


def worker(conn, store_dir: str, duties: bool) -> None:
    import pyoxigraph as ox

    from regiograph.sparql.parsed import quick_form

    store = ox.Store.read_only(store_dir)
    conn.send_bytes(b"ready")
    while True:
        try:
            text = conn.recv_bytes().decode()
        except EOFError:  # the front is gone
            return
        if duties and quick_form(text) is None:
            raise SystemExit("the benchmark's queries are all quickly read")
        out = io.BytesIO()
        results = store.query(text, use_default_graph_as_union=True)
        results.serialize(out, format=ox.QueryResultsFormat.JSON)
        conn.send_bytes(out.getvalue())


class Duties:
    """What /sparql does for every query besides running it, with the platform's code."""

    def __init__(self, folder: Path):
        from regiograph.ops import metrics
        from regiograph.sparql.admission import FILE_NAME, Admission, Policy

        self.metrics = metrics
        self.admission = Admission(
            folder / FILE_NAME, Policy(per_client=0, time_budget_s=0, error_budget=0)
        )
        self.log = logging.getLogger("regiograph.access")
        handler = logging.FileHandler(folder / "access.log")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        self.log.addHandler(handler)
        self.log.setLevel(logging.INFO)

    @contextlib.contextmanager
    def around(self, peer: str):
        from regiograph.sparql.jobs import Outcome

        started = time.perf_counter()
        with self.admission.admit(peer) as ticket:
            yield
            ticket.outcome = Outcome.OK
        self.metrics.record_query(Outcome.OK)
        seconds = time.perf_counter() - started
        self.metrics.record_request("POST", "/sparql", 200, seconds)
        self.log.info("%s %s %s %.1f ms", "POST", "/sparql", 200, seconds * 1000)


class Floor:
    def __init__(self, store_dir: str, workers: int, duties: Duties | None):
        context = multiprocessing.get_context("spawn")
        self.duties = duties
        self.idle = []  # last in, first out, as /sparql's pool
        for _ in range(workers):
            ours, theirs = context.Pipe()
            args = (theirs, store_dir, duties is not None)
            context.Process(target=worker, args=args, daemon=True).start()
            ours.recv_bytes()
            self.idle.append(ours)
        self.free = asyncio.Condition()

    async def run(self, text: str) -> bytes:
        async with self.free:
            await self.free.wait_for(lambda: self.idle)
            conn = self.idle.pop()
        loop = asyncio.get_running_loop()
        answer = loop.create_future()

        def readable():
            loop.remove_reader(conn.fileno())
            answer.set_result(conn.recv_bytes())

        conn.send_bytes(text.encode())
        loop.add_reader(conn.fileno(), readable)
        try:
            return await answer
        finally:
            async with self.free:
                self.idle.append(conn)
                self.free.notify()

    async def connection(self, reader, writer) -> None:
        try:
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
                length = 0
                for line in head.split("\r\n")[1:]:
                    name, _, value = line.partition(":")
                    if name.lower() == "content-length":
                        length = int(value)
                form = urllib.parse.parse_qs((await reader.readexactly(length)).decode())
                if self.duties is None:
                    body = await self.run(form["query"][0])
                else:
                    with self.duties.around(writer.get_extra_info("peername")[0]):
                        body = await self.run(form["query"][0])
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
                    b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
                )
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()


async def serve(port: int, store_dir: str, workers: int, duties: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="floor-") as folder:
        floor = Floor(store_dir, workers, Duties(Path(folder)) if duties else None)
        server = await asyncio.start_server(floor.connection, "127.0.0.1", port)
        async with server:
            await server.serve_forever()


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if a != "--duties"]
    workers = int(arguments[2]) if arguments[2:] else 4
    asyncio.run(serve(int(arguments[0]), arguments[1], workers, "--duties" in sys.argv))
