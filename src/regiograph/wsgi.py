"""Running the web app under gunicorn, in the same process that supervises the store, behind
the buffering front (:mod:`regiograph.front`) so that slow clients cannot hold its threads."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile

from gunicorn.app.base import BaseApplication

from regiograph import front
from regiograph.config import Config
from regiograph.ops import baseiri
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
    app = front.peer_address(create_app(config, store))
    bind = f"{config['server.host']}:{config['server.port']}"
    # Clients reach gunicorn only through the buffering front, on a socket in a private folder.
    sockets = tempfile.mkdtemp(prefix="regiograph-app-")
    upstream = os.path.join(sockets, "app.sock")
    front_process = front.spawn(
        config["server.host"],
        config["server.port"],
        upstream,
        app_spec=(config, store.snapshots),  # /sparql is answered in the front's process
    )
    log.info("regiograph at http://%s/ (store %s)", bind, store.endpoints.query)
    baseiri.warn_if_mismatched(config)  # IRIs that lead nowhere, said before anyone follows one
    options = {
        "bind": f"unix:{upstream}",
        # gunicorn trusts every header a Unix socket's peer sends; the app alone reads the
        # proxy's headers, and only with site.trust_proxy.
        "secure_scheme_headers": {},
        "forwarder_headers": "",
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
        if os.getpid() == arbiter_pid:
            if scheduler:
                scheduler.stop()
            front_process.terminate()
            front_process.wait()
            shutil.rmtree(sockets, ignore_errors=True)


def _start_scheduler(config: Config, store: Store):
    """Due harvests run in this (the supervising) process, not in every worker."""
    from regiograph.ops.schedule import Scheduler, schedules

    if not config["schedule.enabled"] or not schedules(config):
        return None
    return Scheduler(config, store).start()
