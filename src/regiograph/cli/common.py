"""What every command shares: typed errors to one line and an exit code, reading the
settings, the --no-warm option and bringing the derived data up to date after a write.

Exit codes: 0 success · 1 the operation failed (bad query, bad file, rejected data) ·
2 usage or configuration error · 3 the store is unavailable or its directory is locked.
"""

from __future__ import annotations

import logging
import sys
from enum import IntEnum
from functools import wraps

import click

from regiograph import config as configuration
from regiograph.loader.codelists import CodeListError
from regiograph.store import StoreError, StoreLocked, StoreUnavailable


class Exit(IntEnum):
    """The documented exit codes besides 0."""

    FAILED = 1  # the operation failed: bad query, bad file, rejected data
    USAGE = 2  # usage or configuration error
    STORE = 3  # the store is unavailable or its directory is locked


def fails_cleanly(command):
    """Typed errors become one line on stderr and the documented exit code, not a traceback."""

    @wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except configuration.ConfigError as exc:
            fail(f"configuration error: {exc}", Exit.USAGE)
        except (StoreUnavailable, StoreLocked) as exc:
            fail(str(exc), Exit.STORE)
        except StoreError as exc:
            fail(str(exc), Exit.FAILED)
        except CodeListError as exc:
            fail(f"installation error: {exc}", Exit.FAILED)

    return wrapper


def fail(message: str, code: int):
    click.echo(f"regiograph: {message}", err=True)
    sys.exit(code)


NO_WARM = click.option(
    "--no-warm",
    is_flag=True,
    help="Leave the derived data (catalogue key list and dumps, search index, statistics "
    "mirror) to `regiograph warm` or the first web request, e.g. before more loads.",
)


def quiet() -> None:
    """Only warnings and errors in the log: a command's own lines say what it did."""
    root = logging.getLogger()
    root.setLevel(max(root.level, logging.WARNING))


def warm_derived(cfg: configuration.Config, store) -> bool:
    """Bring the derived data up to the new data version; True when every step worked.
    Never raises: the data is published whatever happens here."""
    from regiograph import derived

    steps = derived.warm(cfg, store)
    click.echo(derived.summary(steps))
    return all(step.ok for step in steps)


def load_config(ctx: click.Context) -> configuration.Config:
    """The settings named by the group's --config, with logging configured by them."""
    from regiograph.ops import logging as logs

    cfg = configuration.load(ctx.obj["config_file"])
    logs.configure(cfg)  # plain or JSON (log.json), with request ids
    return cfg
