"""Prometheus metrics (prometheus-client), shared by gunicorn's worker processes.

Under gunicorn each worker counts on its own, so counters live in memory-mapped files in
``{data_dir}/metrics`` (prometheus-client's multiprocess mode) and a scrape adds them up.
prometheus-client picks its mode when it is first imported, so this module imports it
lazily and :func:`prepare_multiprocess` runs before the app is built.

Others call :func:`record_query` (the SPARQL endpoint) and :func:`record_harvest` (the
scheduler and admin API); requests are counted by :mod:`regiograph.server.routes.observability`.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from functools import cache
from pathlib import Path

from regiograph.loader.runs import OUTCOMES as HARVEST_OUTCOMES
from regiograph.sparql.jobs import Outcome
from regiograph.store import StoreError

# prometheus-client is imported inside functions on purpose (PLC0415): see the docstring.
log = logging.getLogger(__name__)

ENV = "PROMETHEUS_MULTIPROC_DIR"
QUERY_OUTCOMES = ("ok", "timeout", "refused", "too_large", "memory", "error")
# The label each way a /sparql query ends is counted under. The labels are older than the
# typed outcomes and kept as they were: "timeout" was every 503 (so also no free worker and
# an unreachable store), "refused" the SERVICE rules and the per-client limit.
QUERY_LABELS = {
    Outcome.OK: "ok",
    Outcome.TIMEOUT: "timeout",
    Outcome.BUSY: "timeout",
    Outcome.UNAVAILABLE: "timeout",
    Outcome.REFUSED: "refused",
    Outcome.CLIENT_LIMIT: "refused",
    Outcome.TOO_LARGE: "too_large",
    Outcome.SYNTAX: "error",
    Outcome.NOT_ACCEPTABLE: "error",
    Outcome.STORE_FAILED: "error",
    Outcome.FAILED: "error",
    Outcome.TOO_MUCH_MEMORY: "memory",
}
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)


def prepare_multiprocess(config, store=None) -> bool:
    """Switch to multiprocess mode with a fresh ``{data_dir}/metrics``; call before forking.

    Returns False (in-memory metrics of this one process) when prometheus-client was
    already imported without it, which only happens when something imported it earlier.
    """
    if ENV not in os.environ:
        if "prometheus_client" in sys.modules:
            log.warning(
                "prometheus-client was imported before the metrics set-up; "
                "/metrics shows only one worker's counts"
            )
            return False
        directory = Path(config.data_path) / "metrics"
        directory.mkdir(parents=True, exist_ok=True)
        for stale in directory.glob("*.db"):  # counts of the previous run's processes
            stale.unlink()
        os.environ[ENV] = str(directory)
    if store is not None and getattr(store, "server", None) is not None:
        _mirror_restarts_in_background(store.server)
    return True


def multiprocess() -> bool:
    return ENV in os.environ


def child_exit(server, worker) -> None:
    """gunicorn hook: forget a dead worker's live gauges."""
    from prometheus_client import multiprocess as mp

    mp.mark_process_dead(worker.pid)


_metrics_lock = threading.Lock()


def _metrics():
    # functools.cache alone lets two threads of a new worker both create (and register) the
    # metrics on their first requests; the second registration fails.
    with _metrics_lock:
        return _create_metrics()


@cache
def _create_metrics():
    from prometheus_client import Counter, Histogram

    return {
        "requests": Counter(
            "regiograph_http_requests",
            "HTTP requests by route and status.",
            ["method", "route", "status"],
        ),
        "latency": Histogram(
            "regiograph_http_request_duration_seconds",
            "Time to answer an HTTP request, by route.",
            ["route"],
            buckets=LATENCY_BUCKETS,
        ),
        "queries": Counter("regiograph_sparql_queries", "SPARQL queries by outcome.", ["outcome"]),
        "harvests": Counter(
            "regiograph_harvest_runs", "Harvest runs by source and outcome.", ["source", "outcome"]
        ),
        "restarts": Counter(
            "regiograph_store_restarts",
            "Restarts of the embedded Oxigraph server by its supervisor.",
        ),
    }


def record_request(method: str, route: str, status: int, seconds: float) -> None:
    metrics = _metrics()
    metrics["requests"].labels(method, route, str(status)).inc()
    metrics["latency"].labels(route).observe(seconds)


def record_query(outcome: Outcome | str) -> None:
    """Count one SPARQL query by how it ended (a label of :data:`QUERY_LABELS`: ok, timeout,
    refused (policy), too_large (result), memory (a worker's memory cap) or error)."""
    if isinstance(outcome, Outcome):
        outcome = QUERY_LABELS[outcome]
    if outcome not in QUERY_OUTCOMES:
        raise ValueError(f"unknown query outcome {outcome!r}; one of {QUERY_OUTCOMES}")
    _metrics()["queries"].labels(outcome).inc()


def record_harvest(source: str, outcome: str) -> None:
    """Count one harvest run by its outcome (:data:`regiograph.loader.runs.OUTCOMES`)."""
    if outcome not in HARVEST_OUTCOMES:
        raise ValueError(f"unknown harvest outcome {outcome!r}; one of {HARVEST_OUTCOMES}")
    _metrics()["harvests"].labels(source, outcome).inc()


# --- store restarts: counted where the supervisor lives ---------------------------------

_mirrored: dict[int, int] = {}  # id(supervisor) -> restarts already counted
_mirror_lock = threading.Lock()


def mirror_restarts(server) -> None:
    """Add the supervisor's new restarts to the counter (only in the supervising process:
    a forked worker's copy of the supervisor never sees a restart)."""
    with _mirror_lock:
        delta = server.restarts - _mirrored.get(id(server), 0)
        if delta > 0:
            _metrics()["restarts"].inc(delta)
            _mirrored[id(server)] = server.restarts


def _mirror_restarts_in_background(server) -> None:
    def loop():
        while True:
            mirror_restarts(server)
            time.sleep(1)

    threading.Thread(target=loop, name="metrics-restarts", daemon=True).start()


# --- scrape ---------------------------------------------------------------------------


def render(store) -> tuple[bytes, str]:
    """The exposition text for one scrape, with the triples per graph read now."""
    from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
    from prometheus_client.multiprocess import MultiProcessCollector

    _metrics()
    if multiprocess():
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        registry.register(_Forward(REGISTRY))
        if getattr(store, "server", None) is not None:
            mirror_restarts(store.server)
    registry.register(GraphSizes(store))
    return generate_latest(registry), CONTENT_TYPE_LATEST


class _Forward:
    """The default registry's metrics inside a per-scrape registry."""

    def __init__(self, registry):
        self.registry = registry

    def collect(self):
        return self.registry.collect()


_graph_cache: dict[str, object] = {}


class GraphSizes:
    """Triples per named graph, counted at most once per data version."""

    def __init__(self, store):
        self.store = store

    def collect(self):
        from prometheus_client.core import GaugeMetricFamily

        family = GaugeMetricFamily(
            "regiograph_graph_triples", "Triples per named graph.", labels=["graph"]
        )
        up = GaugeMetricFamily("regiograph_store_up", "1 if the store answered this scrape.")
        try:
            counts = self._counts()
        except StoreError:  # the scrape still reports everything else, and that the store is down
            counts = {}
            up.add_metric([], 0)
        else:
            up.add_metric([], 1)
        for graph, count in sorted(counts.items()):
            family.add_metric([graph], count)
        yield family
        yield up

    def _counts(self) -> dict[str, int]:
        version = self.store.data_version()
        key = f"{self.store.endpoints.query} {version}"
        if _graph_cache.get("key") != key:
            _graph_cache.update(key=key, counts=self.store.graphs())
        return _graph_cache["counts"]
