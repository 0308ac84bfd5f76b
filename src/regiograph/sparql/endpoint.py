"""The endpoint's parts that live as long as the web app: the engine with its worker pool,
admission (per-client budgets shared by all web processes) and the limits, all read from the
settings once.

Built by :func:`regiograph.server.services.install` when the app is created; the HTTP side
(``server/routes/sparql.py``) only reads them.
"""

from __future__ import annotations

from regiograph.config import Config
from regiograph.sparql import services
from regiograph.sparql.admission import FILE_NAME, Admission, Policy
from regiograph.sparql.engine import Engine, Limits
from regiograph.store import Store


class Endpoint:
    """Per-app state: the engine (with its worker pool) and admission."""

    def __init__(self, cfg: Config, store: Store):
        # The embedded store's owner makes snapshots (open_store points the config at its
        # URL); the workers read them, never the live directory.
        folder = getattr(store, "snapshots", None)
        store_path = str(folder) if folder is not None else None
        self.allow = services.parse_allow_list(cfg["sparql.service_allow"])
        self.limits = Limits(
            cfg["sparql.timeout_s"],
            cfg["sparql.max_result_bytes"],
            cfg["sparql.max_result_rows"],
            worker_memory_bytes=cfg["sparql.worker_memory_mb"] * 2**20,
        )
        self.engine = Engine(
            store,
            mode=cfg["sparql.engine"],
            store_path=store_path,
            workers=cfg["sparql.workers"],
            limits=self.limits,
            allow=self.allow,
        )
        self.admission = Admission(cfg.data_path / FILE_NAME, _policy(cfg, self.engine))
        self.max_query_bytes = cfg["sparql.max_query_bytes"]
        self.max_age = cfg["sparql.cache_max_age_s"]
        self.write_token = cfg["server.write_token"]


def _policy(cfg: Config, engine: Engine) -> Policy:
    workers, per_client = engine.pool.size, cfg["sparql.max_concurrent_per_client"]
    return Policy(
        per_client=per_client,
        # In a process, a client leaves one query worker for the others (the pool's workers
        # only check SERVICE targets in proxy mode: the store runs the query).
        per_client_in_process=max(1, workers - 1) if engine.mode == "pool" and per_client else 0,
        time_budget_s=cfg["sparql.time_budget_s"],
        error_budget=cfg["sparql.error_budget"],
        process_slots=max(1, cfg["server.threads"] - cfg["sparql.reserved_threads"]),
        # Waiting for a worker and running each take up to the time limit.
        stale_after_s=2 * cfg["sparql.timeout_s"] + 60,
    )
