"""The app on a real loopback HTTP server, for browsers and other real clients."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from werkzeug.serving import make_server

AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps calling home, and this machine has
# no network beyond loopback.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextmanager
def live_server(app) -> Iterator[str]:
    """The app served on 127.0.0.1 on a free port, in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()


@contextmanager
def live_app(cfg, store) -> Iterator[str]:
    """The app from its factory served as by :func:`live_server`; its query workers stopped
    after."""
    from conftest import stop_sparql
    from regiograph.server import create_app

    app = create_app(cfg, store)
    try:
        with live_server(app) as url:
            yield url
    finally:
        stop_sparql(app)


def serious_violations(page) -> list[dict]:
    """What axe-core finds on the page (loaded into it from node_modules) with a serious or
    critical impact."""
    # evaluated through the DevTools protocol, so the page's CSP still holds for its own code
    page.evaluate(AXE.read_text(encoding="utf-8") + "; void 0")
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v["impact"] in {"serious", "critical"}]


def type_query(page, query: str) -> None:
    """Replaces the text in YASGUI's editor (once it is there) with ``query``."""
    page.wait_for_selector(".yasqe .CodeMirror", timeout=15000)
    page.click(".yasqe .CodeMirror")
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type(query)


def run_query(page, query: str) -> None:
    """Types ``query`` into YASGUI's editor and runs it."""
    type_query(page, query)
    page.click(".yasqe_queryButton")
