"""The endpoint's parts that live as long as the web app: the engine with its worker pool, the
per-client limiter and the limits, all read from the settings once.

Built by :func:`regiograph.server.services.install` when the app is created; the HTTP side
(``server/routes/sparql.py``) only reads them.
"""

from __future__ import annotations

from regiograph.config import Config
from regiograph.sparql import services
from regiograph.sparql.engine import Engine, Limits
from regiograph.sparql.limits import ClientLimiter
from regiograph.store import Store


class Endpoint:
    """Per-app state: the engine (with its worker pool) and the per-client limiter."""

    def __init__(self, cfg: Config, store: Store):
        server = getattr(store, "server", None)
        # The embedded store is supervised here (open_store points the config at its URL).
        store_path = str(server.location) if server is not None else None
        self.allow = services.parse_allow_list(cfg["sparql.service_allow"])
        self.limits = Limits(
            cfg["sparql.timeout_s"], cfg["sparql.max_result_bytes"], cfg["sparql.max_result_rows"]
        )
        self.engine = Engine(
            store,
            mode=cfg["sparql.engine"],
            store_path=store_path,
            workers=cfg["sparql.workers"],
            limits=self.limits,
            allow=self.allow,
        )
        self.limiter = ClientLimiter(cfg["sparql.max_concurrent_per_client"])
        self.max_query_bytes = cfg["sparql.max_query_bytes"]
        self.max_age = cfg["sparql.cache_max_age_s"]
        self.write_token = cfg["server.write_token"]
