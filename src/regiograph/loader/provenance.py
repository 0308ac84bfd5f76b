"""Provenance in the metadata graph ``{base}graph/meta``: one PROV-O activity per run
(``hv:HarvestRun``, terms in ``harvest-vocabulary.ttl``) with its SHACL report, and one
``dcat:CatalogRecord`` per published source graph. Written with SPARQL Update templates
(``sparql/*.ru``) whose values are bound as RDF terms; read back for conditional GET, the
shrink check, ``regiograph sources`` and ``/harvests``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from pyoxigraph import Literal, NamedNode, RdfFormat, Triple, serialize

from regiograph import iris
from regiograph.loader import acceptance, disclosure
from regiograph.loader.map.construct import text
from regiograph.loader.shacl import engine as validate
from regiograph.namespaces import HV, RDF_TYPE, XSD
from regiograph.store import Store

log = logging.getLogger(__name__)
MAX_STORED_RESULTS = 500  # per run; the counts are always complete
MAX_STORED_VERDICTS = 2000  # per run, held back first; the counts are always complete
KEEP_RUNS = 20  # per source
# What runs() gives for every run (None where the run has no value).
RUN_FIELDS = (
    "run",
    "sourceId",
    "started",
    "ended",
    "outcome",
    "step",
    "message",
    "fetched",
    "published",
    "pages",
    "records",
    "violations",
    "warnings",
    "infos",
    "seconds",
    "report",
    "location",
    "trigger",
    "validation",
    "datasets",
    "accepted",
    "heldBack",
    "repaired",
)


@dataclass(frozen=True)
class RunRecord:
    """What :func:`record` writes: the outcome of one run of one source."""

    run: str
    source_id: str
    location: str
    started: datetime
    ended: datetime
    outcome: str  # runs.OUTCOMES but busy (a busy run did nothing and is not recorded)
    step: str = ""
    message: str = ""
    fetched: int | None = None
    published: int | None = None
    pages: int | None = None
    records: int | None = None
    validators: tuple[str, str] | None = None
    report: validate.Report | None = None
    graph: str = ""  # the source's graph, when this run published it
    title: str = ""
    licence: str = ""
    trigger: str = ""  # runs.TRIGGERS: cli, schedule or admin
    validation: str = ""  # what the run checked against, in words
    datasets: acceptance.Acceptance | None = None  # verdicts per dataset (accept = dataset)
    notes: tuple[str, ...] = ()  # third-party warnings, pages not fetched


def run_iri(base_iri: str, source_id: str, started: datetime) -> str:
    return iris.run(base_iri, source_id, iris.run_stamp(started))


def now() -> datetime:
    return datetime.now(UTC)


def location_term(location: str) -> NamedNode | Literal:
    """A public URL as an IRI; of an operator's file path only the name, of an internal URL
    nothing (:func:`regiograph.loader.disclosure.public_location`): the metadata graph is public."""
    location = disclosure.public_location(location)
    if location.startswith(("http://", "https://")):
        try:
            return NamedNode(location)
        except ValueError:
            pass
    return Literal(location)


def previous_validators(store: Store, source_id: str, location: str) -> tuple[str, str] | None:
    rows = store.select(
        text("last-published.rq"),
        {
            "meta": NamedNode(store.meta_graph),
            "sourceId": Literal(source_id),
            "location": location_term(location),
        },
    )
    if not rows:
        return None
    etag, modified = rows[0].get("etag"), rows[0].get("lastModified")
    if not etag and not modified:
        return None
    return (etag.value if etag else "", modified.value if modified else "")


def graph_size(store: Store, graph: str) -> int:
    return store.count(text("graph-size.rq"), {"graph": NamedNode(graph)})


def record(store: Store, run: RunRecord, base_iri: str) -> None:
    """Write the run (and its report, and the catalogue record when it published)."""
    meta = NamedNode(store.meta_graph)
    report_iri = NamedNode(run.run + "/report") if run.report else None
    if run.report is not None:
        quads = validate.report_quads(run.report, report_iri, meta, MAX_STORED_RESULTS)
        data = serialize(
            [Triple(q.subject, q.predicate, q.object) for q in quads], format=RdfFormat.N_TRIPLES
        )
        store.add_to_graph(store.meta_graph, data)
    verdicts = _verdict_triples(run) + [
        Triple(NamedNode(run.run), _HV_NOTE, Literal(_public(run, note))) for note in run.notes
    ]
    if verdicts:
        store.add_to_graph(store.meta_graph, serialize(verdicts, format=RdfFormat.N_TRIPLES))
    store.update(text("record-run.ru"), _run_bindings(run, meta, report_iri), content=False)
    if run.outcome == "published":
        store.update(
            text("record-catalog.ru"),
            {
                "meta": meta,
                "record": NamedNode(iris.source_record(base_iri, run.source_id)),
                "graph": NamedNode(run.graph),
                "title": Literal(run.title or run.source_id),
                "location": location_term(run.location),
                "ended": _time(run.ended),
                "run": NamedNode(run.run),
                "licence": NamedNode(run.licence) if run.licence else None,
            },
            content=False,
        )
    prune(store, run.source_id)


_HV = HV
_HV_NOTE = NamedNode(_HV + "note")


def _verdict_triples(run: RunRecord) -> list[Triple]:
    """One ``hv:DatasetVerdict`` per dataset (and per held-back node of no dataset), at most
    MAX_STORED_VERDICTS, held back and repaired first; reasons and repairs in de and en."""
    if run.datasets is None:
        return []
    verdicts = [v for v in run.datasets.others.values() if not v.accepted]
    verdicts += acceptance.ordered(run.datasets)
    triples = []
    boolean = NamedNode(XSD + "boolean")
    for number, verdict in enumerate(verdicts[:MAX_STORED_VERDICTS], 1):
        node = NamedNode(f"{run.run}/verdict/{number}")
        triples += [
            Triple(NamedNode(run.run), NamedNode(_HV + "verdict"), node),
            Triple(node, NamedNode(RDF_TYPE), NamedNode(_HV + "DatasetVerdict")),
            Triple(node, NamedNode(_HV + "resource"), verdict.dataset),
            Triple(
                node,
                NamedNode(_HV + "accepted"),
                Literal("true" if verdict.accepted else "false", datatype=boolean),
            ),
        ]
        for name, texts in (("reason", verdict.reasons), ("repair", verdict.repairs)):
            for said in dict.fromkeys(texts):
                german, english = (_public(run, words) for words in said)
                triples.append(Triple(node, NamedNode(_HV + name), Literal(german, language="de")))
                triples.append(Triple(node, NamedNode(_HV + name), Literal(english, language="en")))
    return triples


def _run_bindings(run: RunRecord, meta: NamedNode, report_iri: NamedNode | None) -> dict:
    report = run.report
    counts = run.datasets.counts() if run.datasets else {}
    etag, modified = run.validators or ("", "")
    return {
        "meta": meta,
        "run": NamedNode(run.run),
        "sourceId": Literal(run.source_id),
        "location": location_term(run.location),
        "started": _time(run.started),
        "ended": _time(run.ended),
        "outcome": Literal(run.outcome),
        "step": Literal(run.step) if run.step else None,
        "message": Literal(_public(run, run.message)) if run.message else None,
        "fetched": _integer(run.fetched),
        "published": _integer(run.published),
        "pages": _integer(run.pages),
        "records": _integer(run.records),
        "violations": _integer(report.count("Violation") if report else None),
        "warnings": _integer(report.count("Warning") if report else None),
        "infos": _integer(report.count("Info") if report else None),
        "etag": Literal(etag) if etag else None,
        "lastModified": Literal(modified) if modified else None,
        "seconds": Literal(
            str(Decimal(str(round((run.ended - run.started).total_seconds(), 3)))),
            datatype=NamedNode(XSD + "decimal"),
        ),
        "report": report_iri,
        "trigger": Literal(run.trigger) if run.trigger else None,
        "graph": NamedNode(run.graph) if run.outcome == "published" else None,
        "validation": Literal(run.validation) if run.validation else None,
        "datasets": _integer(counts.get("datasets")),
        "accepted": _integer(counts.get("accepted")),
        "heldBack": _integer(counts.get("held_back")),
        "repaired": _integer(counts.get("repaired")),
    }


def _public(run: RunRecord, said: str) -> str:
    """What the record may say of ``said``: the metadata graph is readable by anyone, the
    source's address and a parser's quote of the input are for the operator's log."""
    shown = said
    if run.location:  # also a relative path, which public_text cannot tell from words
        shown = shown.replace(run.location, disclosure.public_location(run.location))
    shown = disclosure.public_text(shown)
    if shown != said:
        log.warning(
            "%s: run %s recorded without internal details; in full: %s",
            run.source_id,
            run.run,
            said,
        )
    return shown


def _time(moment: datetime) -> Literal:
    return Literal(moment.isoformat().replace("+00:00", "Z"), datatype=NamedNode(XSD + "dateTime"))


def _integer(value: int | None) -> Literal | None:
    return None if value is None else Literal(str(value), datatype=NamedNode(XSD + "integer"))


def runs(store: Store, source_id: str | None = None, run: str | None = None) -> list[dict]:
    """Runs newest first (of one source, or the one run), as dicts of plain Python values."""
    rows = store.select(
        text("runs.rq"),
        {
            "meta": NamedNode(store.meta_graph),
            "sourceId": Literal(source_id) if source_id else None,
            "run": NamedNode(run) if run else None,
        },
    )
    return [
        {**dict.fromkeys(RUN_FIELDS), **{name: _plain(term) for name, term in row.items()}}
        for row in rows
    ]


def last_runs(store: Store) -> dict[str, dict]:
    """The newest run of every source that has one."""
    latest: dict[str, dict] = {}
    for run in runs(store):
        latest.setdefault(run["sourceId"], run)
    return latest


def report_results(store: Store, report: str) -> list[dict]:
    rows = store.select(
        text("report-results.rq"),
        {"meta": NamedNode(store.meta_graph), "report": NamedNode(report)},
    )
    merged: dict[str, dict] = {}
    for row in rows:
        key = str(row["result"])
        entry = merged.setdefault(
            key,
            {
                name: row.get(name)
                for name in ("focus", "path", "value", "shape", "component", "severity")
            },
        )
        entry.setdefault("messages", [])
        if "message" in row and row["message"] not in entry["messages"]:
            entry["messages"].append(row["message"])
    return list(merged.values())


def verdicts(store: Store, run: str) -> list[dict]:
    """A run's verdicts per dataset: resource, accepted, reasons and repairs as
    {language: [text]} — held back first."""
    rows = store.select(
        text("dataset-verdicts.rq"), {"meta": NamedNode(store.meta_graph), "run": NamedNode(run)}
    )
    merged: dict[str, dict] = {}
    for row in rows:
        entry = merged.setdefault(
            row["verdict"].value,
            {
                "resource": row["resource"],
                "accepted": row["accepted"].value == "true",
                "reasons": {},
                "repairs": {},
            },
        )
        for name, key in (("reason", "reasons"), ("repair", "repairs")):
            term = row.get(name)
            if term is not None:
                said = entry[key].setdefault(term.language or "", [])
                if term.value not in said:
                    said.append(term.value)
    return list(merged.values())


def notes(store: Store, run: str) -> list[str]:
    rows = store.select(
        text("run-notes.rq"), {"meta": NamedNode(store.meta_graph), "run": NamedNode(run)}
    )
    return [row["note"].value for row in rows]


def prune(store: Store, source_id: str) -> None:
    """Keep the newest KEEP_RUNS runs of a source."""
    old = runs(store, source_id)[KEEP_RUNS:]
    for run in old:
        store.update(
            text("prune-run.ru"),
            {"meta": NamedNode(store.meta_graph), "run": NamedNode(run["run"])},
            content=False,
        )


def _plain(term):
    if isinstance(term, Literal):
        datatype = term.datatype.value if term.datatype else ""
        if datatype == XSD + "integer":
            return int(term.value)
        if datatype == XSD + "decimal":
            return float(term.value)
        if datatype == XSD + "dateTime":
            return datetime.fromisoformat(term.value.replace("Z", "+00:00"))
        return term.value
    return term.value
