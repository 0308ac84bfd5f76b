"""Commands about sources: ``harvest`` them, list them (``sources``) and their
``schedule``s, run the due ones."""

from __future__ import annotations

import sys

import click

from regiograph.cli.common import NO_WARM, Exit, fail, fails_cleanly, load_config, warm_derived
from regiograph.loader import codelists
from regiograph.runtime import open_store


@click.group()
def schedule() -> None:
    """Scheduled harvests: sources with a `schedule` key (docs/operations.md)."""


@schedule.command("list")
@click.pass_context
@fails_cleanly
def schedule_list(ctx) -> None:
    """Each scheduled source with its schedule, last run and whether it is due now."""
    from regiograph.loader import provenance
    from regiograph.ops import schedule as schedules

    cfg = load_config(ctx.find_root())
    plans = schedules.schedules(cfg)  # a bad schedule: a usage error, before the store
    with open_store(cfg, attach=True) as (cfg, store):
        due = set(schedules.due(cfg, store))
        last_runs = provenance.last_runs(store)
    for source_id, plan in plans.items():
        last = last_runs.get(source_id) or {}
        started = last["started"].isoformat(timespec="seconds") if last else "never"
        click.echo(
            f"{source_id}\t{plan.text}\tlast: {started} "
            f"{last.get('outcome', '')}\t{'due' if source_id in due else 'not due'}"
        )


@schedule.command("run-due")
@click.option(
    "--loop",
    "every_s",
    type=click.FloatRange(min=1),
    default=None,
    help="Keep running: check every SECONDS (for a harvester service).",
)
@click.pass_context
@fails_cleanly
def schedule_run_due(ctx, every_s: float | None) -> None:
    """Harvest the sources that are due now, each under its lock (from cron or a systemd
    timer, or as a long-running harvester with --loop). Exits 1 if a harvest failed."""
    import time

    from regiograph.ops import schedule as schedules

    cfg = load_config(ctx.find_root())
    schedules.schedules(cfg)  # a bad schedule is a configuration error, before the store
    with open_store(cfg, attach=True) as (cfg, store):
        while True:
            outcomes = schedules.run_due(cfg, store)
            for source_id, outcome in outcomes.items():
                click.echo(f"{source_id}: {outcome}")
            if schedules.harvested(outcomes):
                warm_derived(cfg, store)
            if every_s is None:
                break
            time.sleep(every_s)
    if "failed" in outcomes.values():
        sys.exit(Exit.FAILED)


@click.command()
@click.argument("source_ids", nargs=-1)
@click.option(
    "--force",
    is_flag=True,
    help="Fetch even a source that says it is unchanged (no conditional GET).",
)
@click.option(
    "--wait",
    "wait_s",
    type=float,
    default=0.0,
    show_default=True,
    help="Seconds to wait for another harvest of the same source to finish.",
)
@click.option(
    "--due",
    is_flag=True,
    help="Only the sources whose schedule says they are due (for cron or systemd timers; "
    "the same as `regiograph schedule run-due`).",
)
@NO_WARM
@click.pass_context
@fails_cleanly
def harvest(
    ctx, source_ids: tuple[str, ...], force: bool, wait_s: float, due: bool, no_warm: bool
) -> None:
    """Harvest, map, validate and publish the configured sources (all, or the SOURCE_IDS
    given), then bring the derived data up to date (see `regiograph warm`). Exit code 0: all
    published or unchanged; 1: a source failed or was rejected; 2: configuration error
    (unknown id, bad [[sources]] table). A failed warm-up is logged and changes no exit code."""
    from regiograph.loader import console, sources

    if due:
        if source_ids:
            fail("--due harvests what the schedules say; name no sources with it", Exit.USAGE)
        ctx.invoke(schedule_run_due, every_s=None)
        return
    cfg = load_config(ctx)
    sources.select(sources.from_config(cfg), source_ids)  # config errors before the store
    codelists.load()  # a missing or corrupt code list before the store, naming the file
    with open_store(cfg, attach=True) as (cfg, store):
        code = console.harvest(cfg, store, source_ids, force=force, wait_s=wait_s)
        if not no_warm:
            warm_derived(cfg, store)
    sys.exit(code)


@click.command("sources")
@click.pass_context
@fails_cleanly
def list_sources(ctx) -> None:
    """List the configured sources with their last harvest run."""
    from regiograph.loader import console, sources

    cfg = load_config(ctx)
    sources.from_config(cfg)  # config errors before the store
    with open_store(cfg, attach=True) as (cfg, store):
        console.list_sources(cfg, store)
