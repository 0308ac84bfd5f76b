"""The least a Python /sparql can cost, as a peer for ``sparql_proxy.py``: one asyncio loop
that reads a POSTed query (form-encoded, kept connections), hands it to one of N worker
processes over a pipe without a thread in between (the loop watches the pipe), and writes
the worker's SPARQL JSON results back. The worker runs the text on a read-only pyoxigraph
handle of a snapshot copy, as /sparql's query workers do.

Nothing else: no negotiation, no admission, no limits, no time limit (nothing is killed), no
reading of the query for SERVICE or FROM, no logs, no metrics, no error answers — so its
distance to ``oxigraph serve`` is the floor of an endpoint with a killable worker hop in
Python, and /sparql's distance to it is what the platform's own duties and its layers cost.

    python bench/floor_front.py PORT STORE_DIR [WORKERS]
"""

from __future__ import annotations

import asyncio
import io
import multiprocessing
import sys
import urllib.parse


def worker(conn, store_dir: str) -> None:
    import pyoxigraph as ox

    store = ox.Store.read_only(store_dir)
    conn.send_bytes(b"ready")
    while True:
        try:
            text = conn.recv_bytes().decode()
        except EOFError:  # the front is gone
            return
        out = io.BytesIO()
        results = store.query(text, use_default_graph_as_union=True)
        results.serialize(out, format=ox.QueryResultsFormat.JSON)
        conn.send_bytes(out.getvalue())


class Floor:
    def __init__(self, store_dir: str, workers: int):
        context = multiprocessing.get_context("spawn")
        self.idle = []  # last in, first out, as /sparql's pool
        for _ in range(workers):
            ours, theirs = context.Pipe()
            context.Process(target=worker, args=(theirs, store_dir), daemon=True).start()
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
                body = await self.run(form["query"][0])
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
                    b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
                )
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()


async def serve(port: int, store_dir: str, workers: int) -> None:
    floor = Floor(store_dir, workers)
    server = await asyncio.start_server(floor.connection, "127.0.0.1", port)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(serve(int(sys.argv[1]), sys.argv[2], int(sys.argv[3]) if sys.argv[3:] else 4))
