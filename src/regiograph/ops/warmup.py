"""The derived data brought up to date in a spawned child process, for the processes that
live long and fork: ``serve``/``demo`` after the start, the scheduler after a harvest.

The supervising process forks the web workers, and a worker forked while a thread held a
build lock would keep that lock's file open, and so the lock held, for its whole life. A
spawned child shares no open files with the workers and keeps the build's CPU out of the
supervisor. What is built, and how, is :func:`regiograph.derived.warm`'s business.
"""

from __future__ import annotations

import multiprocessing
import signal

from regiograph import derived
from regiograph.config import Config
from regiograph.ops import logging as logs
from regiograph.store import Store


def in_background(config: Config, store: Store) -> multiprocessing.process.BaseProcess:
    """:func:`regiograph.derived.warm` in a fresh child process."""
    endpoints = store.endpoints  # the store this process uses, also when it was started here
    config = config.with_overrides(
        store__query_url=endpoints.query,
        store__update_url=endpoints.update,
        store__graph_store_url=endpoints.graph_store,
        store__dialect=endpoints.dialect,
    )
    process = multiprocessing.get_context("spawn").Process(
        target=_child, args=(config,), name="regiograph-warm", daemon=True
    )
    process.start()
    return process


def _child(config: Config) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for serve, which ends this child
    logs.configure(config)
    derived.warm(config, Store.from_config(config))
