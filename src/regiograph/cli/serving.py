"""Commands that serve the platform: ``serve`` the configured store and the web app,
``demo`` the bundled region (loaded first into an empty store)."""

from __future__ import annotations

import json

import click

from regiograph import config as configuration
from regiograph.cli.common import fails_cleanly, load_config, warm_derived
from regiograph.runtime import open_store


def _listen(command):
    """--host and --port, overriding server.host and server.port for this run."""
    command = click.option(
        "--port", type=click.IntRange(0, 65535), help="Port to listen on (server.port)."
    )(command)
    return click.option("--host", help="Address to listen on (server.host).")(command)


def _served_config(ctx, host: str | None, port: int | None) -> configuration.Config:
    cfg = load_config(ctx)
    overrides = {"server__host": host, "server__port": port}
    return cfg.with_overrides(**{key: v for key, v in overrides.items() if v is not None})


@click.command()
@_listen
@click.pass_context
@fails_cleanly
def serve(ctx, host: str | None, port: int | None) -> None:
    """Start the store (embedded unless configured) and the web app under gunicorn; the
    derived data is brought up to date in the background meanwhile."""
    from regiograph.loader import vocabulary
    from regiograph.ops import warmup
    from regiograph.wsgi import run

    cfg = _served_config(ctx, host, port)
    with open_store(cfg) as (cfg, store):
        vocabulary.publish(cfg, store)  # pages and queries need the current labels
        warmup.in_background(cfg, store)  # a new vocabulary, or data written while stopped
        run(cfg, store)


@click.command()
@click.option("--no-serve", is_flag=True, help="Load the demo region and stop.")
@_listen
@click.pass_context
@fails_cleanly
def demo(ctx, no_serve: bool, host: str | None, port: int | None) -> None:
    """Serve the bundled demo region (the Metropolregion Rhein-Neckar), loading it first if
    the store is empty."""
    from regiograph.loader import demo as demo_region
    from regiograph.loader import vocabulary
    from regiograph.ops import warmup
    from regiograph.wsgi import run

    cfg = _served_config(ctx, host, port)
    with open_store(cfg) as (cfg, store):
        if store.triple_count() == 0:
            click.echo("loading the demo region …")
            summary = demo_region.load(cfg, store)
            click.echo(json.dumps(summary, indent=2))
        else:
            vocabulary.publish(cfg, store)  # pages and queries need the current labels
        if no_serve:
            warm_derived(cfg, store)
        else:
            warmup.in_background(cfg, store)
            run(cfg, store)
