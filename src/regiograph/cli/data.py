"""Commands that move or check data: ``load`` RDF files, ``query`` the store, ``export``
its graphs, ``validate`` files against the SHACL shapes."""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

import click

from regiograph.cli.common import (
    NO_WARM,
    Exit,
    fail,
    fails_cleanly,
    load_config,
    quiet,
    warm_derived,
)
from regiograph.runtime import open_store
from regiograph.store.rdffiles import RdfFileError, read_graphs


@click.command()
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
        fail("--bulk cannot replace a graph atomically; use one or the other", Exit.USAGE)
    cfg = load_config(ctx)
    if not ctx.meta.get("verbose"):
        quiet()
    try:
        graphs = read_graphs(files, graph, base_iri)
    except RdfFileError as exc:
        fail(str(exc), Exit.FAILED)
    except ValueError as exc:
        fail(f"--graph: {exc}", Exit.USAGE)
    with open_store(cfg, attach=True) as (cfg, store):
        for name, data in graphs.items():
            if replace:
                store.replace_graph(name, data)
            else:
                store.add_to_graph(name, data, unsafe_bulk=bulk)
            triples = data.count(b"\n")
            click.echo(f"{'replaced' if replace else 'loaded into'} <{name}>: {triples} triples")
        if not no_warm:
            warm_derived(cfg, store)


@click.command()
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
        fail(str(exc), Exit.FAILED)
    # The store knows no default prefixes: declare the ones the query takes from them.
    prologue = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in parsed.defaulted.items())
    cfg = load_config(ctx)
    with open_store(cfg, attach=True) as (_, store):
        result = store.query_bytes(prologue + text, output.ACCEPT)
        click.echo(output.render(result.body, fmt), nl=False)


def _query_text(sparql: str | None, query_file: Path | None) -> str:
    """The query from the argument, an @file argument, -f FILE, or standard input ('-')."""
    if (sparql is None) == (query_file is None):
        fail("give the query as an argument, @FILE, -f FILE or - (standard input)", Exit.USAGE)
    if query_file is None and sparql != "-" and not sparql.startswith("@"):
        return sparql
    source = str(query_file) if query_file is not None else sparql.removeprefix("@")
    if source == "-":
        return sys.stdin.read()
    try:
        return Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read the query from {source}: {exc}", Exit.USAGE)


@click.command()
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
        fail(
            f"cannot export to {target.name}: name a .nq or .trig file (.gz to compress)",
            Exit.USAGE,
        )
    cfg = load_config(ctx)
    with open_store(cfg, attach=True) as (_, store):
        data = output.quads_as(b"".join(store.dump(graph)), target.name.removesuffix(".gz"))
    if target.suffix == ".gz":
        data = gzip.compress(data)
    target.write_bytes(data)
    click.echo(f"wrote {target} ({len(data):,} bytes)")


@click.command()
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
        fail(str(exc), Exit.USAGE)
    click.echo(report.to_text(validation.language(lang, os.environ.get("LANG"))), nl=False)
    if not report.conforms:
        sys.exit(Exit.FAILED)
