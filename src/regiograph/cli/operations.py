"""Commands for operators: show the ``config``, ``backup`` and ``restore`` the store,
``warm`` the derived data."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from regiograph import config as configuration
from regiograph.cli.common import Exit, fails_cleanly, load_config, warm_derived
from regiograph.runtime import open_store


@click.command()
@click.option("--markdown", is_flag=True, help="Print docs/configuration.md.")
@click.pass_context
@fails_cleanly
def config(ctx: click.Context, markdown: bool) -> None:
    """Show the resolved settings (secrets hidden), or their reference as Markdown."""
    if markdown:
        click.echo(configuration.markdown_reference(), nl=False)
        return
    cfg = load_config(ctx)
    for setting in configuration.SETTINGS:
        value = "***" if setting.secret and cfg[setting.name] else cfg[setting.name]
        click.echo(f"{setting.name} = {value!r}")


@click.command()
@click.argument("target", type=click.Path(file_okay=False, path_type=Path))
@click.pass_context
@fails_cleanly
def backup(ctx, target: Path) -> None:
    """Back up every named graph into the new directory TARGET, online: a running platform
    keeps serving. Each graph's triple count and fingerprint go into TARGET/manifest.json."""
    from regiograph.ops.backup import backup as run_backup
    from regiograph.store.supervisor import SNAPSHOTS

    cfg = load_config(ctx)
    # The embedded store is backed up from its owner's newest snapshot (see ops/backup.py).
    snapshots = cfg.data_path / SNAPSHOTS if cfg.embedded_store else None
    with open_store(cfg, attach=True) as (_, store):
        manifest = run_backup(store, target, snapshots)
    triples = sum(entry["triples"] for entry in manifest["graphs"].values())
    click.echo(f"backed up {len(manifest['graphs'])} graphs, {triples} triples, to {target}")


@click.command()
@click.argument("source", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.pass_context
@fails_cleanly
def restore(ctx, source: Path) -> None:
    """Replace the embedded store with the backup in SOURCE (stop the platform first). The
    backup is loaded beside the current store and verified before the two are swapped; a
    damaged backup or a full disk changes nothing."""
    from regiograph.ops.restore import restore as run_restore

    manifest = run_restore(load_config(ctx), source)
    triples = sum(entry["triples"] for entry in manifest["graphs"].values())
    click.echo(
        f"restored {len(manifest['graphs'])} graphs, {triples} triples, from {source} "
        f"(taken {manifest['created']})"
    )


@click.command()
@click.pass_context
@fails_cleanly
def warm(ctx) -> None:
    """Bring the derived data up to the store's data version: the catalogue's key list and
    dumps, the search index and the statistics mirror. `harvest`, `load`, `demo` and `serve`
    do this themselves; run it after writing to the store by other means, so that no web
    request has to. Exit code 1 when a step failed (the log says which and why)."""
    cfg = load_config(ctx)
    with open_store(cfg, attach=True) as (cfg, store):
        ok = warm_derived(cfg, store)
    if not ok:
        sys.exit(Exit.FAILED)
