"""The ``regiograph`` command line.

Exit codes: 0 success · 1 the operation failed (bad query, bad file, rejected data) ·
2 usage or configuration error · 3 the store is unavailable or its directory is locked.
"""

from __future__ import annotations

import gzip
import json
import logging
import sys
from functools import wraps
from pathlib import Path

import click

from regiograph import __version__
from regiograph import config as configuration
from regiograph.loader import codelists
from regiograph.loader.codelists import CodeListError
from regiograph.runtime import open_store
from regiograph.store import StoreError, StoreLocked, StoreUnavailable
from regiograph.store.rdffiles import RdfFileError, read_graphs

EXIT_FAILED, EXIT_USAGE, EXIT_STORE = 1, 2, 3
log = logging.getLogger("regiograph")


def fails_cleanly(command):
    """Typed errors become one line on stderr and the documented exit code, not a traceback."""

    @wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except configuration.ConfigError as exc:
            _fail(f"configuration error: {exc}", EXIT_USAGE)
        except (StoreUnavailable, StoreLocked) as exc:
            _fail(str(exc), EXIT_STORE)
        except StoreError as exc:
            _fail(str(exc), EXIT_FAILED)
        except CodeListError as exc:
            _fail(f"installation error: {exc}", EXIT_FAILED)

    return wrapper


def _fail(message: str, code: int):
    click.echo(f"regiograph: {message}", err=True)
    sys.exit(code)


NO_WARM = click.option(
    "--no-warm",
    is_flag=True,
    help="Leave the derived data (catalogue key list and dumps, search index, statistics "
    "mirror) to `regiograph warm` or the first web request, e.g. before more loads.",
)


def _quiet() -> None:
    """Only warnings and errors in the log: a command's own lines say what it did."""
    root = logging.getLogger()
    root.setLevel(max(root.level, logging.WARNING))


def _warm(cfg: configuration.Config, store) -> bool:
    """Bring the derived data up to the new data version; True when every step worked.
    Never raises: the data is published whatever happens here."""
    from regiograph import derived

    steps = derived.warm(cfg, store)
    click.echo(derived.summary(steps))
    return all(step.ok for step in steps)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False),
    help="TOML configuration file (default: ./regiograph.toml if present).",
)
@click.version_option(__version__, prog_name="regiograph")
@click.pass_context
def main(ctx: click.Context, config_file: str | None) -> None:
    """regiograph: linked open data for smart regions."""
    ctx.obj = {"config_file": config_file}


def load_config(ctx: click.Context) -> configuration.Config:
    from regiograph.ops import logging as logs

    cfg = configuration.load(ctx.obj["config_file"])
    logs.configure(cfg)  # plain or JSON (log.json), with request ids
    return cfg


@main.command()
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


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--graph", help="Named graph for triples outside a graph (e.g. Turtle files).")
@click.option("--replace", is_flag=True, help="Replace the graph(s) instead of adding to them.")
@click.option(
    "--bulk",
    is_flag=True,
    help="Use the store's non-transactional bulk path (Oxigraph: parts loaded in parallel, "
    "about 4x faster; if the load fails or the store dies midway, part of the data stays). "
    "Not with --replace.",
)
@click.option("--base", "base_iri", help="Base IRI for relative IRIs (default: each file's URL).")
@NO_WARM
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    expose_value=False,  # kept in ctx.meta: load has arguments enough
    callback=lambda ctx, _param, value: ctx.meta.update(verbose=value),
    help="Log each step (default: warnings only).",
)
@click.pass_context
@fails_cleanly
def load(
    ctx,
    files: tuple[Path, ...],
    graph: str | None,
    replace: bool,
    bulk: bool,
    base_iri: str | None,
    no_warm: bool,
):
    """Load RDF files (any common syntax, also .gz). All files are parsed before anything is
    sent, so a syntax error loads nothing and names file, line and column. Then brings the
    derived data up to date (see `regiograph warm`)."""
    if replace and bulk:
        _fail("--bulk cannot replace a graph atomically; use one or the other", EXIT_USAGE)
    cfg = load_config(ctx)
    if not ctx.meta.get("verbose"):
        _quiet()
    try:
        graphs = read_graphs(files, graph, base_iri)
    except RdfFileError as exc:
        _fail(str(exc), EXIT_FAILED)
    except ValueError as exc:
        _fail(f"--graph: {exc}", EXIT_USAGE)
    with open_store(cfg, attach=True) as (cfg, store):
        for name, data in graphs.items():
            if replace:
                store.replace_graph(name, data)
            else:
                store.add_to_graph(name, data, unsafe_bulk=bulk)
            triples = data.count(b"\n")
            click.echo(f"{'replaced' if replace else 'loaded into'} <{name}>: {triples} triples")
        if not no_warm:
            _warm(cfg, store)


@main.command()
@click.argument("sparql", required=False)
@click.option(
    "-f",
    "--file",
    "query_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Read the query from this file ('-': standard input).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "tsv", "json"]),
    default="table",
    show_default=True,
)
@click.pass_context
@fails_cleanly
def query(ctx, sparql: str | None, query_file: Path | None, fmt: str) -> None:
    """Run a SPARQL SELECT or ASK query and print the result. SPARQL is the query itself,
    @FILE a file holding it, or - for standard input. The platform's common prefixes (rdfs:,
    dct:, geo: …, as on /sparql) need no PREFIX line."""
    from regiograph.namespaces import PREFIXES
    from regiograph.sparql.parsed import SparqlSyntaxError, parse
    from regiograph.store import output

    text = _query_text(sparql, query_file)
    try:
        parsed = parse(text, defaults=PREFIXES, operation="query")
    except SparqlSyntaxError as exc:
        _fail(str(exc), EXIT_FAILED)
    # The store knows no default prefixes: declare the ones the query takes from them.
    prologue = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in parsed.defaulted.items())
    cfg = load_config(ctx)
    with open_store(cfg, attach=True) as (_, store):
        result = store.query_bytes(prologue + text, output.ACCEPT)
        click.echo(output.render(result.body, fmt), nl=False)


def _query_text(sparql: str | None, query_file: Path | None) -> str:
    """The query from the argument, an @file argument, -f FILE, or standard input ('-')."""
    if (sparql is None) == (query_file is None):
        _fail("give the query as an argument, @FILE, -f FILE or - (standard input)", EXIT_USAGE)
    if query_file is None and sparql != "-" and not sparql.startswith("@"):
        return sparql
    source = str(query_file) if query_file is not None else sparql.removeprefix("@")
    if source == "-":
        return sys.stdin.read()
    try:
        return Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        _fail(f"cannot read the query from {source}: {exc}", EXIT_USAGE)


@main.command()
@click.option("--graph", help="Only this named graph (default: every graph).")
@click.option(
    "-o",
    "--output",
    "target",
    required=True,
    type=click.Path(path_type=Path),
    help="File to write: .nq or .trig, with .gz for gzip.",
)
@click.pass_context
@fails_cleanly
def export(ctx, graph: str | None, target: Path) -> None:
    """Write the store's named graphs as N-Quads or TriG."""
    from regiograph.store import output

    if not target.name.removesuffix(".gz").endswith((".nq", ".trig")):
        # before the store is asked: a dump of every graph is not lost on a bad file name
        _fail(
            f"cannot export to {target.name}: name a .nq or .trig file (.gz to compress)",
            EXIT_USAGE,
        )
    cfg = load_config(ctx)
    with open_store(cfg, attach=True) as (_, store):
        data = output.quads_as(b"".join(store.dump(graph)), target.name.removesuffix(".gz"))
    if target.suffix == ".gz":
        data = gzip.compress(data)
    target.write_bytes(data)
    click.echo(f"wrote {target} ({len(data):,} bytes)")


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


@main.command()
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


@main.command()
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
            _warm(cfg, store)
        else:
            warmup.in_background(cfg, store)
            run(cfg, store)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--shapes",
    "shapes_dir",
    type=click.Path(path_type=Path),
    help="Folder of SHACL shapes (*.ttl; default: the bundled shapes).",
)
@click.option(
    "--lang",
    type=click.Choice(["de", "en"]),
    help="Language of the messages (default: from LANG, else English).",
)
@click.option("--base", "base_iri", help="Base IRI for relative IRIs (default: site.base_iri).")
@click.pass_context
@fails_cleanly
def validate(
    ctx, files: tuple[Path, ...], shapes_dir: Path | None, lang: str | None, base_iri: str | None
) -> None:
    """Check RDF files against the SHACL shapes, with the ontology and concept schemes loaded
    alongside; all FILEs form one graph (pass reference data, e.g. municipalities, as well).
    Prints the results grouped by node; exits 1 when there is a Violation."""
    import os

    from regiograph.loader.shacl import files as validation

    cfg = load_config(ctx)
    try:
        validation.load_shapes(shapes_dir)  # a bad folder is reported before any file is read
        data = validation.read_files(files, base_iri or cfg.base_iri)
        report = validation.validate(data, shapes_dir)
    except validation.ShapesError as exc:
        _fail(str(exc), EXIT_USAGE)
    click.echo(report.to_text(validation.language(lang, os.environ.get("LANG"))), nl=False)
    if not report.conforms:
        sys.exit(EXIT_FAILED)


@main.command()
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


@main.command()
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


@main.group()
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
                _warm(cfg, store)
            if every_s is None:
                break
            time.sleep(every_s)
    if "failed" in outcomes.values():
        sys.exit(EXIT_FAILED)


@main.command()
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
            _fail("--due harvests what the schedules say; name no sources with it", EXIT_USAGE)
        ctx.invoke(schedule_run_due, every_s=None)
        return
    cfg = load_config(ctx)
    sources.select(sources.from_config(cfg), source_ids)  # config errors before the store
    codelists.load()  # a missing or corrupt code list before the store, naming the file
    with open_store(cfg, attach=True) as (cfg, store):
        code = console.harvest(cfg, store, source_ids, force=force, wait_s=wait_s)
        if not no_warm:
            _warm(cfg, store)
    sys.exit(code)


@main.command()
@click.pass_context
@fails_cleanly
def warm(ctx) -> None:
    """Bring the derived data up to the store's data version: the catalogue's key list and
    dumps, the search index and the statistics mirror. `harvest`, `load`, `demo` and `serve`
    do this themselves; run it after writing to the store by other means, so that no web
    request has to. Exit code 1 when a step failed (the log says which and why)."""
    cfg = load_config(ctx)
    with open_store(cfg, attach=True) as (cfg, store):
        ok = _warm(cfg, store)
    if not ok:
        sys.exit(EXIT_FAILED)


@main.command("sources")
@click.pass_context
@fails_cleanly
def list_sources(ctx) -> None:
    """List the configured sources with their last harvest run."""
    from regiograph.loader import console, sources

    cfg = load_config(ctx)
    sources.from_config(cfg)  # config errors before the store
    with open_store(cfg, attach=True) as (cfg, store):
        console.list_sources(cfg, store)
