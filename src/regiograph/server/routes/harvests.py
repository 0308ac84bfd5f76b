"""/harvests: the sources, their runs, and each run's validation report.

Reads what the loader recorded in the metadata graph (:mod:`regiograph.loader.provenance`);
a source's location is shown as :func:`regiograph.loader.disclosure.public_location` allows (a
public URL, a file's name; an internal address never);
results are grouped by shape, then by focus node, each focus node linking to its page
(``/resource?iri=``). German first, English with ``?lang=en``.
"""

from __future__ import annotations

import re
from collections import defaultdict

from flask import Blueprint, abort, render_template
from flask_babel import lazy_gettext
from pyoxigraph import BlankNode, Literal, NamedNode

from regiograph import iris
from regiograph.loader import disclosure, profile, provenance, scores, sources
from regiograph.loader.errors import SourceConfigError
from regiograph.server.kit import i18n
from regiograph.server.services import config, store

blueprint = Blueprint("harvests", __name__)
_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
_STAMP = re.compile(r"\d{8}T\d{12}Z")
RECENT = 50

# the page's words, translated by the message catalogue like every other page's
TEXT = {
    "title": lazy_gettext("Harvests"),
    "sources": lazy_gettext("Sources"),
    "runs": lazy_gettext("Recent runs"),
    "kind": lazy_gettext("Kind"),
    "location": lazy_gettext("Location"),
    "last": lazy_gettext("Last run"),
    "outcome": lazy_gettext("Outcome"),
    "never": lazy_gettext("never"),
    "started": lazy_gettext("Started"),
    "seconds": lazy_gettext("Duration (s)"),
    "fetched": lazy_gettext("Fetched"),
    "published": lazy_gettext("Published"),
    "violations": lazy_gettext("Violations"),
    "warnings": lazy_gettext("Warnings"),
    "message": lazy_gettext("Message"),
    "report": lazy_gettext("Validation report"),
    "shape": lazy_gettext("Shape"),
    "path": lazy_gettext("Path"),
    "focus": lazy_gettext("Affected resource"),
    "value": lazy_gettext("Value"),
    "no_results": lazy_gettext("No results: the data conforms to every shape."),
    "no_report": lazy_gettext(
        "This run has no validation report (no shapes, or it ended before validation)."
    ),
    "source": lazy_gettext("Source"),
    "pages": lazy_gettext("Pages"),
    "records": lazy_gettext("Records"),
    "step": lazy_gettext("Step"),
    "blank": lazy_gettext("(blank node)"),
    "no_runs": lazy_gettext("No runs yet."),
    "shown": lazy_gettext("At most {n} results are shown; the counts above are complete."),
    "all_runs": lazy_gettext("All runs"),
    "published_o": lazy_gettext("published"),
    "rejected_o": lazy_gettext("rejected"),
    "failed_o": lazy_gettext("failed"),
    "unchanged_o": lazy_gettext("unchanged"),
    "validation": lazy_gettext("Validation"),
    "datasets": lazy_gettext("Datasets"),
    "datasets_of": lazy_gettext("{a} of {n} accepted, {h} held back, {r} repaired"),
    "held_back": lazy_gettext("held back"),
    "accepted": lazy_gettext("accepted"),
    "repairs": lazy_gettext("Repairs"),
    "verdicts": lazy_gettext("Verdict per dataset"),
    "verdicts_shown": lazy_gettext("At most {n} datasets are shown, those held back first."),
    "notes": lazy_gettext("Notes"),
    "quality": lazy_gettext("Metadata quality per source"),
}


def _text() -> dict:
    return TEXT


def _configured() -> list:
    try:
        return sources.from_config(config())
    except SourceConfigError:
        return []


@blueprint.get("/harvests")
def index():
    runs = provenance.runs(store())
    last: dict[str, dict] = {}
    for run in runs:
        last.setdefault(run["sourceId"], run)
    configured = {s.id: s for s in _configured()}
    ids = list(configured) + sorted(set(last) - set(configured))
    lang = i18n.language()
    rows = [
        {
            "id": i,
            "source": configured.get(i),
            "last": last.get(i),
            # the policy as configured now; for a source no longer configured, its last run's
            "validation": profile.described(configured[i], lang)
            if i in configured
            else (last.get(i) or {}).get("validation") or "",
        }
        for i in ids
    ]
    return render_template(
        "harvests.html",
        t=_text(),
        rows=rows,
        quality=scores.of_sources(store(), config().base_iri),
        runs=runs[:RECENT],
        stamp=_stamp,
        shown=disclosure.public_location,
    )


@blueprint.get("/harvests/<source_id>")
def source_runs(source_id: str):
    if not _ID.fullmatch(source_id):
        abort(404)
    runs = provenance.runs(store(), source_id)
    configured = {s.id: s for s in _configured()}
    if not runs and source_id not in configured:
        abort(404)
    return render_template(
        "harvest_source.html",
        t=_text(),
        source_id=source_id,
        source=configured.get(source_id),
        runs=runs,
        stamp=_stamp,
        shown=disclosure.public_location,
    )


@blueprint.get("/harvests/<source_id>/<stamp>")
def run_page(source_id: str, stamp: str):
    if not _ID.fullmatch(source_id) or not _STAMP.fullmatch(stamp):
        abort(404)
    iri = iris.run(config().base_iri, source_id, stamp)
    found = provenance.runs(store(), source_id, run=iri)
    if not found:
        abort(404)
    run = found[0]
    groups = (
        _grouped(provenance.report_results(store(), run["report"])) if run.get("report") else None
    )
    lang = i18n.language()
    verdicts = [
        {
            "resource": _show(v["resource"]),
            "linked": isinstance(v["resource"], NamedNode),
            "accepted": v["accepted"],
            "reasons": v["reasons"].get(lang) or v["reasons"].get("en") or [],
            "repairs": v["repairs"].get(lang) or v["repairs"].get("en") or [],
        }
        for v in provenance.verdicts(store(), run["run"])
    ]
    return render_template(
        "harvest_run.html",
        t=_text(),
        run=run,
        source_id=source_id,
        groups=groups,
        limit=provenance.MAX_STORED_RESULTS,
        verdicts=verdicts,
        verdicts_limit=provenance.MAX_STORED_VERDICTS,
        notes=provenance.notes(store(), run["run"]),
        shown=disclosure.public_location,
    )


def _stamp(run_iri: str) -> str:
    return run_iri.rsplit("/", 1)[-1]


def _grouped(results: list[dict]) -> list[dict]:
    """Results by shape (with path and component), then by focus node."""
    lang = i18n.language()
    shapes: dict[tuple, dict] = {}
    for result in results:
        key = (
            _show(result["shape"]),
            _show(result.get("path")),
            _local(result["component"]),
            _local(result["severity"]),
        )
        group = shapes.setdefault(
            key,
            {
                "shape": key[0],
                "path": key[1],
                "component": key[2],
                "severity": key[3],
                "focus": defaultdict(list),
            },
        )
        group["focus"][_focus_key(result["focus"])].append(
            {"value": _show(result.get("value")), "message": _message(result["messages"], lang)}
        )
    ordered = sorted(
        shapes.values(),
        key=lambda g: (
            ["Violation", "Warning", "Info"].index(g["severity"])
            if g["severity"] in ("Violation", "Warning", "Info")
            else 9,
            -len(g["focus"]),
        ),
    )
    for group in ordered:
        group["focus"] = sorted(group["focus"].items())
    return ordered


def _focus_key(term) -> tuple[str, bool]:
    """(shown text, is an IRI with a page)."""
    return (term.value, True) if isinstance(term, NamedNode) else (_show(term), False)


def _show(term) -> str:
    if term is None:
        return ""
    if isinstance(term, BlankNode):
        return "_:"
    return term.value


def _local(term) -> str:
    return term.value.rsplit("#", 1)[-1] if term is not None else ""


def _message(messages: list, lang: str) -> str:
    literals = [m for m in messages if isinstance(m, Literal)]
    for wanted in (lang, "", "en", "de"):
        for literal in literals:
            if (literal.language or "") == wanted:
                return literal.value
    return literals[0].value if literals else ""
