"""harvest → map → validate → publish for each source, and the record of every run.

:func:`harvest` is the one way to run a source: ``regiograph harvest``, the scheduler
(:mod:`regiograph.ops.schedule`) and the admin API (through :func:`harvest_in_background`)
all call it, so every run holds the source's lock (:mod:`.runs`) and is recorded once, in the
metadata graph. Any failure of one source is caught, recorded and reported, and the next
source runs. Published data is only ever replaced by :func:`publish.publish`, after the policy
has accepted the candidate.
"""

from __future__ import annotations

import glob
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pyoxigraph import Literal, NamedNode
from pyoxigraph import Store as MemoryStore

from regiograph import iris
from regiograph.config import Config
from regiograph.loader import (
    acceptance,
    captured,
    profile,
    provenance,
    publish,
    quality,
    qualitymemo,
    referencedata,
    runs,
    sources,
)
from regiograph.loader.errors import LoaderError, NotModified, SourceBusy
from regiograph.loader.fetch import http
from regiograph.loader.kinds import Context, Harvested, Progress, module
from regiograph.loader.map.construct import text
from regiograph.loader.shacl import engine as validate
from regiograph.loader.sources import Source
from regiograph.store import Store, StoreError

log = logging.getLogger(__name__)
STEPS = ("harvest", "map", "validate", "publish")


@dataclass
class RunResult:
    source: Source
    outcome: str = "failed"  # one of runs.OUTCOMES
    trigger: str = "cli"  # one of runs.TRIGGERS
    step: str = ""
    message: str = ""
    run: str = ""
    started: datetime | None = None
    ended: datetime | None = None
    fetched: int | None = None
    published: int | None = None
    pages: int | None = None
    records: int | None = None
    report: validate.Report | None = None
    published_by: str = ""  # loaded, added, replaced, changed (its difference), unchanged
    timings: dict[str, float] = field(default_factory=dict)
    validation: str = ""  # what the run checked against, in words ("off (policy …)" when off)
    datasets: acceptance.Acceptance | None = None  # the verdict per dataset (accept = dataset)
    notes: list[str] = field(default_factory=list)  # the loader's: pages not fetched
    captured: list[str] = field(default_factory=list)  # what libraries logged or warned
    quality: quality.Quality | None = None  # MQA-style score per dataset (accept = dataset)

    @property
    def ok(self) -> bool:
        return self.outcome in ("published", "unchanged")

    def summary(self) -> dict:
        """Plain values for JSON (the scheduler, the admin API)."""
        report = self.report
        return {
            "source": self.source.id,
            "outcome": self.outcome,
            "accepted": self.ok,
            "step": self.step,
            "message": self.message,
            "run": self.run,
            "trigger": self.trigger,
            "triples_fetched": self.fetched,
            "triples_published": self.published,
            "pages": self.pages,
            "published_by": self.published_by,
            "records": self.records,
            "violations": report.count("Violation") if report else None,
            "warnings": report.count("Warning") if report else None,
            "validation": self.validation,
            "datasets": self.datasets.counts() if self.datasets else None,
            "held_back": {
                str(v.dataset): [reason[1] for reason in v.reasons]
                for v in (self.datasets.held_back if self.datasets else [])
            },
            "notes": self.notes,
            "captured": self.captured,
            "seconds": {k: round(v, 3) for k, v in self.timings.items()},
        }


def harvest(
    config: Config,
    store: Store,
    source_id: str | Source,
    *,
    wait_s: float = 0.0,
    force: bool = False,
    progress: Progress | None = None,
    trigger: str = "cli",
) -> RunResult:
    """One source's run under its lock (outcome ``busy`` when another run holds it past
    ``wait_s``); never raises for the source's own failures. UnknownSource for an id that no
    ``[[sources]]`` table has."""
    source = _chosen(config, source_id)
    try:
        lock = runs.SourceLock(config.data_path, source.id, trigger).acquire(wait_s)
    except SourceBusy as exc:
        log.warning("%s", exc)
        return RunResult(source, outcome="busy", step="harvest", message=str(exc), trigger=trigger)
    with lock:
        return _run(config, store, source, force, progress or Progress(), trigger)


def harvest_in_background(
    config: Config,
    store: Store,
    source_id: str | Source,
    *,
    trigger: str,
    then: Callable[[RunResult], None] | None = None,
) -> threading.Thread:
    """:func:`harvest` in a thread, with the lock taken before the thread starts: SourceBusy
    (or UnknownSource) raised here means nothing was started. ``then`` gets the result once
    the lock is released."""
    source = _chosen(config, source_id)
    lock = runs.SourceLock(config.data_path, source.id, trigger).acquire()

    def work() -> None:
        with lock:
            result = _run(config, store, source, False, Progress(), trigger)
        if then is not None:
            then(result)

    thread = threading.Thread(target=work, name=f"harvest-{source.id}", daemon=True)
    thread.start()
    return thread


def _chosen(config: Config, source_id: str | Source) -> Source:
    if isinstance(source_id, Source):
        return source_id
    (source,) = sources.select(sources.from_config(config), [source_id])
    return source


def harvest_all(
    config: Config,
    store: Store,
    ids: tuple[str, ...] | list[str] = (),
    *,
    wait_s: float = 0.0,
    force: bool = False,
    progress: Progress | None = None,
    all_sources: list[Source] | None = None,
) -> list[RunResult]:
    """The sources with these ids (all when none), one after the other."""
    configured = all_sources if all_sources is not None else sources.from_config(config)
    chosen = sources.select(configured, ids)
    return [
        harvest(config, store, s, wait_s=wait_s, force=force, progress=progress) for s in chosen
    ]


def _run(
    config: Config, store: Store, source: Source, force: bool, progress: Progress, trigger: str
) -> RunResult:
    result = RunResult(source, started=provenance.now(), trigger=trigger)
    result.run = provenance.run_iri(config.base_iri, source.id, result.started)
    harvested = None
    try:
        with captured.third_party(result.captured):
            harvested = _steps(config, store, source, force, progress, result)
    except NotModified:
        result.outcome, result.step = "unchanged", ""
        result.message = "not modified since the last published run (HTTP 304); skipped"
    except LoaderError as exc:
        result.outcome, result.message = "failed", str(exc)
        result.step = exc.step if exc.step != "harvest" else (result.step or exc.step)
    except StoreError as exc:
        result.outcome, result.message = "failed", f"the store failed: {exc}"
    except Exception as exc:  # one source's bug must not stop the others
        log.exception("harvest of %s failed unexpectedly", source.id)
        result.outcome, result.message = "failed", f"internal error: {type(exc).__name__}: {exc}"
    result.ended = provenance.now()
    _record(config, store, result, harvested)
    progress.done(source, result.outcome)
    log.info(
        "%s: %s%s",
        source.id,
        result.outcome,
        f" ({result.message})" if result.message else "",
        extra={"source": source.id, "outcome": result.outcome},
    )
    return result


def _steps(config, store, source, force, progress, result):
    kind = module(source.kind)
    graph = source.graph(config.base_iri)
    publish.remove_incomplete(store, graph)  # what a cut-short first load left behind
    limits = http.Limits.of(source)
    with http.Fetcher(limits) as fetcher:
        validators = None if force else _validators(store, config, source)
        ctx = Context(config.base_iri, fetcher, validators, progress)
        harvested = _timed(result, "harvest", progress, lambda: kind.harvest(source, ctx))
    result.pages = len(harvested.urls)
    result.records = harvested.records or None
    if harvested.store is not None:
        result.fetched = len(harvested.store)
    candidate = _timed(result, "map", progress, lambda: kind.to_graph(source, harvested, ctx))
    if harvested.notes:  # what the mapping left out, e.g. a boundary that is not a polygon
        result.message = f"{len(harvested.notes)} left out: " + "; ".join(harvested.notes)
    if ctx.notes:  # what was read otherwise than declared, e.g. a charset not believed
        result.message = "; ".join([*ctx.notes, *filter(None, [result.message])])
    if harvested.stopped:  # policy partial_pages: the pages before a failed one go out
        result.notes.append(harvested.stopped)
    result.published = None
    result.fetched = result.fetched if result.fetched is not None else len(candidate)
    progress.counted(source, triples=len(candidate))
    result.report = _timed(
        result, "validate", progress, lambda: _validate(store, config, source, candidate, result)
    )
    refusal = _judge(store, config, source, candidate, harvested, result)
    triples = len(candidate)
    previous = provenance.graph_size(store, graph)
    # Per dataset, what fails is held back (above); the source-wide limits are for accept = source.
    counted = [] if result.datasets else None
    refusal = refusal or publish.decide(source.policy, result.report, triples, previous, counted)
    if refusal:
        result.outcome, result.step = "rejected", "validate"
        result.message = "; ".join(filter(None, [refusal, result.message]))
        return harvested
    result.published_by = _timed(
        result,
        "publish",
        progress,
        lambda: publish.publish(
            store,
            graph,
            candidate,
            previous,
            lambda n: progress.uploaded(source, n),
            first_load=source.policy.first_load,
            run=result.run,
        ),
    )
    result.outcome, result.published = "published", triples
    return harvested


def _validators(store: Store, config: Config, source: Source) -> tuple[str, str] | None:
    """ETag and Last-Modified of the last published run, while its graph is still there."""
    if not source.is_url:
        return None
    validators = provenance.previous_validators(store, source.id, source.location)
    if validators and not provenance.graph_size(store, source.graph(config.base_iri)):
        return None  # the graph was dropped since: fetch in full
    return validators


def _timed(result: RunResult, step: str, progress: Progress, work):
    progress.step(result.source, step)
    result.step = step
    began = time.perf_counter()
    value = work()
    result.timings[step] = time.perf_counter() - began
    result.step = ""
    return value


def _validate(
    store: Store, config: Config, source: Source, candidate: MemoryStore, result: RunResult
) -> validate.Report | None:
    """The SHACL report, or None when the source is not validated (``result.validation``
    says why)."""
    checks = profile.checks(source, _shape_files(source))
    result.validation = profile.described(source)
    if checks is None:
        return None
    shapes = validate.load_shapes(list(checks.files))
    reference = referencedata.graphs(store, config, list(source.reference), candidate)
    if checks.profile:
        reference.append(profile.reference_for(candidate))
    report = validate.validate(candidate, shapes, reference)
    report.shapes = [checks.label]
    return report


def _judge(
    store: Store,
    config: Config,
    source: Source,
    candidate: MemoryStore,
    harvested: Harvested,
    result: RunResult,
) -> str:
    """Per dataset (policy accept = dataset): the verdicts, the held-back datasets taken out of
    the candidate; why nothing may be published, or ""."""
    if not _per_dataset(source):
        return ""
    began = time.perf_counter()
    verdicts = acceptance.judge(
        candidate,
        result.report.results if result.report else [],
        source.policy.block,
        harvested.repairs,
        _owned_elsewhere(store, config, source),
    )
    result.datasets = verdicts
    result.quality = quality.measure(candidate, verdicts, checked=result.report is not None)
    refusal = verdicts.refusal(source.policy.min_accepted)
    if refusal is None:
        acceptance.hold_back(candidate, verdicts)
    result.timings["validate"] = result.timings.get("validate", 0.0) + (time.perf_counter() - began)
    return refusal[1] if refusal else ""


def _per_dataset(source: Source) -> bool:
    accept = source.policy.accept or ("dataset" if source.kind in ("dcat", "ckan") else "source")
    return accept == "dataset"


def _owned_elsewhere(store: Store, config: Config, source: Source) -> dict:
    """Datasets published in other sources' graphs, with those sources' ids: a dataset has one
    source, the one that published it first."""
    rows = store.select(
        text("owners.rq"),
        {
            "own": NamedNode(source.graph(config.base_iri)),
            "prefix": Literal(iris.graph(config.base_iri, "")),
        },
    )
    return {row["d"]: iris.graph_name(config.base_iri, row["g"].value) for row in rows}


def _shape_files(source: Source) -> list:
    """The source's own shapes files (the profile's name aside); a glob (``../shapes/*.ttl``)
    names several."""
    files = []
    for name in source.shapes:
        if name == profile.NAME:
            continue
        if any(char in name for char in "*?["):
            files += sorted(Path(p) for p in glob.glob(str(source.folder / name)))
        else:
            files.append(source.resolve(name, bundled="shapes"))
    return files


def _record(config: Config, store: Store, result: RunResult, harvested: Harvested | None) -> None:
    """The run in the metadata graph; a store that is gone is logged, not raised."""
    if result.outcome == "busy":
        return
    source = result.source
    record = provenance.RunRecord(
        run=result.run,
        source_id=source.id,
        location=source.location,
        started=result.started,
        ended=result.ended,
        outcome=result.outcome,
        step=result.step,
        message=result.message,
        fetched=result.fetched,
        published=result.published,
        pages=result.pages,
        records=result.records,
        validators=harvested.validators if harvested and result.outcome == "published" else None,
        report=result.report,
        graph=source.graph(config.base_iri),
        title=source.title,
        licence=source.licence,
        trigger=result.trigger,
        validation=result.validation,
        datasets=result.datasets,
        notes=(*result.notes, *result.captured),
    )
    try:
        provenance.record(store, record, config.base_iri)
        if result.outcome == "published":  # the scores describe what is published
            graph = source.graph(config.base_iri)
            memo = qualitymemo.path(config.data_path, source.id)
            quality.record(
                store, result.quality, result.run, source.id, graph, config.base_iri, memo
            )
    except StoreError as exc:
        log.error("%s: could not record the run in the metadata graph: %s", source.id, exc)
        result.message = (result.message + "; " if result.message else "") + (
            f"the run could not be recorded: {exc}"
        )


def exit_code(results: list[RunResult]) -> int:
    """0 when every source published or was unchanged, else 1."""
    return 0 if all(r.ok for r in results) else 1
