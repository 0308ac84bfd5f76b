"""Running the web app under gunicorn, in the same process that supervises the store."""

from __future__ import annotations

import logging
import os

from gunicorn.app.base import BaseApplication

from regiograph.config import Config
from regiograph.server import create_app
from regiograph.store import Store

log = logging.getLogger(__name__)


class _Gunicorn(BaseApplication):
    def __init__(self, app, options: dict):
        self._app = app
        self._options = options
        super().__init__()

    def load_config(self):
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self):
        return self._app


def run(config: Config, store: Store) -> None:
    """Serve until SIGINT/SIGTERM; the caller stops the store afterwards."""
    from regiograph.ops import metrics

    metrics.prepare_multiprocess(config, store)  # before the app: workers share the counts
    app = create_app(config, store)
    bind = f"{config['server.host']}:{config['server.port']}"
    log.info("regiograph at http://%s/ (store %s)", bind, store.endpoints.query)
    options = {
        "bind": bind,
        "workers": config["server.workers"],
        "threads": config["server.threads"],
        "worker_class": "gthread",
        "timeout": int(config["store.query_timeout_s"]) + 30,
        # the app logs each request itself, with its request id (regiograph.access)
        "accesslog": None,
        "child_exit": metrics.child_exit,
        "post_fork": lambda server, worker: store.forget_connections(),
        # GET /sparql?query=… and "open in the editor" links carry whole queries in the URL;
        # 8190 is gunicorn's largest finite request line (longer queries go by POST).
        "limit_request_line": 8190,
    }
    arbiter_pid = os.getpid()
    scheduler = _start_scheduler(config, store)
    try:
        _Gunicorn(app, options).run()
    except SystemExit as exc:
        if os.getpid() != arbiter_pid:
            # A forked worker leaves by sys.exit too; it must not unwind into the arbiter's
            # cleanup (stopping the store it only inherited a handle to).
            os._exit(exc.code if isinstance(exc.code, int) else 0)
        if exc.code not in (0, None):  # the arbiter leaves by sys.exit on SIGINT/SIGTERM
            raise
    finally:
        if scheduler and os.getpid() == arbiter_pid:
            scheduler.stop()


def _start_scheduler(config: Config, store: Store):
    """Due harvests run in this (the supervising) process, not in every worker."""
    from regiograph.ops.schedule import Scheduler, schedules

    if not config["schedule.enabled"] or not schedules(config):
        return None
    return Scheduler(config, store).start()
