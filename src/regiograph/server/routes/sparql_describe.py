"""What ``/sparql`` says about itself: the Service Description (on GET without a query), VoID
at ``/.well-known/void``, and the HTML pages (query editor, results for the no-JS form).

The SD and VoID are Turtle templates (``templates/sparql_service.ttl``,
``templates/sparql_void.ttl``) filled with numbers from :mod:`regiograph.sparql.describe`,
parsed with pyoxigraph (so a template error can never send broken RDF) and written in the
negotiated RDF format.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from flask import Response, render_template, request
from pyoxigraph import NamedNode, RdfFormat, parse

from regiograph import iris, mediatypes
from regiograph.catalog import dumps
from regiograph.namespaces import prefixes
from regiograph.resources import labels, values
from regiograph.server.kit import i18n, negotiation, public
from regiograph.server.routes.sparql_replies import (
    error_response,
    not_modified,
    validators_for,
    with_cache,
)
from regiograph.server.services import config, describer, saved_queries
from regiograph.sparql.describe import LINK_TARGETS
from regiograph.store import StoreError

# The prefixes the query editor offers (and completes) while typing.
PREFIXES = prefixes(
    "rg",
    "rdf",
    "rdfs",
    "owl",
    "xsd",
    "skos",
    "dcterms",
    "dcat",
    "foaf",
    "schema",
    "geo",
    "qb",
    "org",
    "cpsv",
    "wd",
    "wdt",
)
# The prefixes the Service Description and VoID are written with.
_DESCRIPTION_PREFIXES = prefixes("sd", "void", "dcterms", "formats", "foaf")


def nt(iri: str) -> str:
    """An IRI in Turtle/N-Triples syntax, escaped by pyoxigraph (safe in the templates)."""
    return str(NamedNode(iri))


def graph_id(iri: str, base: str) -> str:
    """``{base}graph/{id}`` -> id (the name dumps and VoID subsets use)."""
    name = iris.graph_name(base, iri)
    tail = iri if name is None else name
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in tail).strip("-") or "graph"


# --- Service Description ------------------------------------------------------------------


def service_description(state) -> Response:
    try:
        chosen = negotiation.for_service_description()
    except negotiation.NotAcceptable as exc:
        return error_response(406, str(exc))
    if chosen is mediatypes.HTML:
        response = Response(
            render_template("sparql.html", **editor_context()), mimetype="text/html"
        )
        response.headers["Vary"] = "Accept"
        return response
    try:
        version, sizes = describer().graph_sizes()
    except StoreError as exc:
        return error_response(503, str(exc), retry_after=5)
    endpoint = request.host_url + "sparql"
    validators = validators_for(version, f"sd-{chosen.name}-{abs(hash(endpoint)) % 10**8}")
    if not_modified(validators):
        return with_cache(Response(status=304), validators, state)
    cfg = config()
    text = render_template(
        "sparql_service.ttl",
        endpoint=endpoint,
        nt=nt,
        title=cfg["site.title"],
        graphs=sorted(sizes.items()),
        result_formats=mediatypes.RESULTS,
        rdf_formats=mediatypes.RDF_WRITTEN,
        federated=bool(state.allow),
        void=request.host_url + ".well-known/void",
        base=cfg.base_iri,
    )
    body = _rdf(text, chosen, base=endpoint)
    response = Response(body, content_type=chosen.content_type)
    return with_cache(response, validators, state)


# --- VoID ---------------------------------------------------------------------------------


def void_description(state) -> Response:
    try:
        chosen = negotiation.for_sparql("CONSTRUCT", request.args.get("format"), html=False)
    except negotiation.NotAcceptable as exc:
        return error_response(406, str(exc))
    try:
        summary = describer().summary()
    except StoreError as exc:
        return error_response(503, str(exc), retry_after=5)
    validators = validators_for(summary.version, f"void-{chosen.name}")
    if not_modified(validators):
        return with_cache(Response(status=304), validators, state)
    cfg = config()
    base = cfg.base_iri
    meta = iris.meta_graph(base)
    graphs = [g for g in summary.graphs.values() if g.iri != meta]
    text = render_template(
        "sparql_void.ttl",
        base=base,
        nt=nt,
        title=cfg["site.title"],
        graphs=graphs,
        graph_id=lambda iri: graph_id(iri, base),
        dump_stem=lambda iri: dumps.graph_stem(base, iri),
        link_targets=LINK_TARGETS,
        total=sum(g.triples for g in graphs),
        vocabularies=sorted({v for g in graphs for v in g.vocabularies}),
        examples=[e for g in graphs for e in g.examples][:10],
    )
    body = _rdf(text, chosen, base=iris.void(base))
    return with_cache(Response(body, content_type=chosen.content_type), validators, state)


def _rdf(turtle: str, chosen: mediatypes.MediaType, *, base: str) -> bytes:
    triples = list(parse(turtle.encode("utf-8"), format=RdfFormat.TURTLE, base_iri=base))
    return mediatypes.write(triples, chosen, _DESCRIPTION_PREFIXES)


# --- HTML ---------------------------------------------------------------------------------


def editor_context(query: str | None = None, error: str | None = None) -> dict:
    examples = saved_examples()
    default = query or (
        examples[0]["query"] if examples else "SELECT ?s ?p ?o WHERE {\n  ?s ?p ?o\n} LIMIT 10"
    )
    return {
        "query": default,
        "error": public.scrub(error) if error else error,
        "examples": examples,
        "prefixes": PREFIXES,
        "prefixes_json": json.dumps(PREFIXES),
        "endpoint": request.host_url + "sparql",
        "examples_json": json.dumps(examples),
        # sparql.js links YASR's IRIs by the pages' rule (values.safe_href)
        "link_schemes_json": json.dumps(sorted(values.LINK_SCHEMES)),
        "base": config().base_iri,
        "result_formats": mediatypes.RESULTS,
        "rdf_formats": mediatypes.RDF_WRITTEN,
    }


def saved_examples() -> list[dict]:
    """The saved queries as editor examples: [{name, title, query}]."""
    out = [
        {
            "name": item.name,
            "title": labels.pick(item.title, i18n.language()) or item.name,
            "query": _strip_header(item.text),
        }
        for item in saved_queries().queries.values()
    ]
    return sorted(out, key=lambda e: e["name"])


def _strip_header(text: str) -> str:
    lines = text.splitlines()
    while lines and lines[0].startswith("#+"):
        lines.pop(0)
    return "\n".join(lines).strip() + "\n"


def results_page(query: str, result) -> str:
    columns, rows, boolean = [], [], None
    if result.kind == "boolean":
        boolean = json.loads(result.body)["boolean"]
    elif result.kind == "solutions":
        data = json.loads(result.body)
        columns = data["head"].get("vars", [])
        rows = [[_cell(b.get(c)) for c in columns] for b in data["results"]["bindings"]]
    else:
        columns = ["subject", "predicate", "object"]
        for triple in parse(result.body, format=RdfFormat.N_TRIPLES):
            rows.append(
                [
                    _term_cell(triple.subject),
                    _term_cell(triple.predicate),
                    _term_cell(triple.object),
                ]
            )
    downloads = [
        (f.name, f.media_type, "?" + urlencode({"query": query, "format": f.name}))
        for f in negotiation.sparql_formats(
            "CONSTRUCT" if result.kind == "graph" else "SELECT", html=False
        )
    ]
    return render_template(
        "sparql.html",
        **editor_context(query=query),
        columns=columns,
        rows=rows,
        boolean=boolean,
        has_results=True,
        downloads=downloads,
    )


def _cell(term: dict | None) -> dict:
    if term is None:
        return {"text": "", "href": None}
    kind, value = term.get("type"), term.get("value", "")
    if kind == "uri":
        return {"text": value, "href": values.safe_href(value)}
    if kind == "bnode":
        return {"text": "_:" + value, "href": None}
    if kind in {"literal", "typed-literal"}:
        suffix = f"@{term['xml:lang']}" if "xml:lang" in term else ""
        return {"text": value + suffix, "href": None}
    return {"text": json.dumps(value), "href": None}


def _term_cell(term) -> dict:
    if isinstance(term, NamedNode):
        return {"text": term.value, "href": values.safe_href(term.value)}
    return {"text": getattr(term, "value", str(term)), "href": None}
