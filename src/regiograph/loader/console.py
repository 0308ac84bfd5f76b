"""What ``regiograph harvest`` and ``regiograph sources`` print.

On a terminal: one progress bar per source (pages, records, triples, step) and a table at
the end, drawn by rich. Elsewhere (cron, CI, a pipe): plain log lines, one per event, and the
same table as plain text, so logs stay greppable. The table has only short columns and fits
80 columns; what needs words (the message, the datasets held back and why, repairs, notes)
follows it per source, wrapped to the terminal's width, in German under a German locale.
"""

from __future__ import annotations

import functools
import os
import sys
import textwrap
from typing import TextIO

from rich import box
from rich.console import Console
from rich.progress import BarColumn, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as Bars
from rich.table import Table

from regiograph.loader import acceptance, pipeline, provenance, sources
from regiograph.loader.kinds import Progress
from regiograph.loader.shacl.files import language
from regiograph.store import Store

OUTCOME_STYLE = {
    "published": "green",
    "unchanged": "cyan",
    "rejected": "yellow",
    "failed": "red",
    "busy": "magenta",
}


class PlainProgress(Progress):
    """One line per page and step, for logs."""

    def __init__(self, out: TextIO):
        self.out = out

    def page(self, source, number, url):
        print(f"harvest {source.id}: page {number} {url}", file=self.out, flush=True)

    def step(self, source, step):
        print(f"harvest {source.id}: {step}", file=self.out, flush=True)

    def done(self, source, outcome):
        print(f"harvest {source.id}: {outcome}", file=self.out, flush=True)


class BarProgress(Progress):
    """A rich progress bar per source: step, pages, records, triples."""

    def __init__(self, bars: Bars):
        self.bars = bars
        self.tasks: dict[str, int] = {}
        self.counts: dict[str, dict[str, int]] = {}

    def _task(self, source) -> int:
        if source.id not in self.tasks:
            self.tasks[source.id] = self.bars.add_task(source.id, total=None, info="")
            self.counts[source.id] = {"pages": 0, "records": 0, "triples": 0}
        return self.tasks[source.id]

    def _show(self, source, step: str | None = None) -> None:
        task = self._task(source)
        c = self.counts[source.id]
        info = f"{c['pages']} page(s) · {c['records']:,} record(s) · {c['triples']:,} triple(s)"
        fields = {"info": info}
        if step:
            fields["description"] = f"{source.id}: {step}"
        self.bars.update(task, **fields)

    def page(self, source, number, url):
        self._task(source)
        self.counts[source.id]["pages"] = number
        self._show(source)

    def step(self, source, step):
        self._show(source, step)

    def done(self, source, outcome):
        self._show(source, f"[{OUTCOME_STYLE.get(outcome, '')}]{outcome}[/]")
        self.bars.update(self._task(source), total=1, completed=1)

    def counted(self, source, *, records=0, triples=0):
        self._task(source)
        if records:
            self.counts[source.id]["records"] = records
        if triples:
            self.counts[source.id]["triples"] = triples
        self._show(source)


def harvest(
    config,
    store: Store,
    ids: tuple[str, ...],
    *,
    force: bool,
    wait_s: float,
    out: TextIO | None = None,
) -> int:
    """Run the sources, show progress and the summary; the exit code (0 or 1)."""
    out = out or sys.stdout
    chosen = sources.select(sources.from_config(config), ids)
    if not chosen:
        print("no sources configured ([[sources]] in the configuration file)", file=out)
        return 0
    console = Console(file=out)
    run = functools.partial(
        pipeline.harvest_all, config, store, all_sources=chosen, force=force, wait_s=wait_s
    )
    if console.is_terminal:
        with Bars(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.fields[info]}"),
            TimeElapsedColumn(),
            console=console,
        ) as bars:
            results = run(progress=BarProgress(bars))
    else:
        results = run(progress=PlainProgress(out))
    _summary(console, results)
    return pipeline.exit_code(results)


SHOWN = 10  # datasets held back or repaired, per source; /harvests/{id}/{run} has them all
# Short headers and no vertical rules keep the table within 80 columns: triples fetched and
# published, datasets accepted of all, violations, warnings, seconds.
SUMMARY_COLUMNS = ("source", "outcome", "fetched", "published", "datasets", "viol.", "warn.", "s")


def _summary(console: Console, results: list[pipeline.RunResult]) -> None:
    table = Table(
        title="harvest summary", title_justify="left", box=box.SIMPLE_HEAD, show_edge=False
    )
    for column in SUMMARY_COLUMNS:
        left = column in SUMMARY_COLUMNS[:2]
        table.add_column(column, justify="left" if left else "right", no_wrap=True)
    for r in results:
        style = OUTCOME_STYLE.get(r.outcome, "")
        counts = r.datasets.counts() if r.datasets else None
        table.add_row(
            r.source.id,
            f"[{style}]{r.outcome}[/]" if style else r.outcome,
            _n(r.fetched),
            _n(r.published),
            f"{counts['accepted']:,}/{counts['datasets']:,}" if counts else "",
            _n(r.report.count("Violation") if r.report else None),
            _n(r.report.count("Warning") if r.report else None),
            f"{sum(r.timings.values()):.1f}",
        )
    console.print(table)
    lang = language(None, os.environ.get("LC_ALL") or os.environ.get("LANG"))
    width = max(40, min(console.width, 100))
    for r in results:
        for line in _details(r, lang):
            indent = " " * (len(line) - len(line.lstrip()))
            for wrapped in textwrap.wrap(line, width, subsequent_indent=indent + "  ") or [""]:
                console.print(wrapped, markup=False, highlight=False, soft_wrap=True)


def _details(r: pipeline.RunResult, lang: str) -> list[str]:
    """What the table has no room for: message, validation, datasets held back, notes."""
    de = lang == "de"
    lines = [f"{r.source.id}: {r.outcome}" + (f": {r.message}" if r.message else "")]
    if r.validation:
        lines.append(f"  {'Prüfung' if de else 'validation'}: {r.validation}")
    if r.datasets:
        c = r.datasets.counts()
        lines.append(
            f"  {c['accepted']:,} von {c['datasets']:,} Datensätzen angenommen, "
            f"{c['held_back']:,} zurückgehalten, {c['repaired']:,} repariert"
            if de
            else f"  {c['accepted']:,} of {c['datasets']:,} datasets accepted, "
            f"{c['held_back']:,} held back, {c['repaired']:,} repaired"
        )
        lines += ["  " + line for line in acceptance.text(r.datasets, lang, SHOWN)]
        listed = [v for v in r.datasets.verdicts.values() if not v.accepted or v.repairs]
        hidden = max(0, len(listed) - SHOWN)
        if hidden:
            more = "weitere" if de else "more"
            lines.append(f"  … {hidden:,} {more}: /harvests/{r.source.id}")
    lines += [f"  {'Hinweis' if de else 'note'}: {note}" for note in r.notes]
    if r.captured:  # rdflib's tracebacks and the like: kept in the run's record, not shown
        lines.append(
            f"  {len(r.captured)} Meldung(en) von Bibliotheken im Bericht des Laufs"
            if de
            else f"  {len(r.captured)} message(s) from libraries kept in the run's report"
        )
    return lines


def _n(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


SOURCE_COLUMNS = ("id", "kind", "location", "last run", "outcome", "published")


def list_sources(config, store: Store, out: TextIO | None = None) -> None:
    """The configured sources with their last run."""
    out = out or sys.stdout
    configured = sources.from_config(config)
    last = provenance.last_runs(store)
    table = Table(title="sources", title_justify="left")
    for column in SOURCE_COLUMNS:
        # ids and outcomes whole; a long location folds (it is the one column that may)
        wide = column == "location"
        table.add_column(column, no_wrap=not wide, overflow="fold", min_width=16 if wide else None)
    rows = [(s.id, s.kind, s.location) for s in configured]
    # sources with runs in the store but not in this configuration (the demo's, or ones
    # removed since): listed as /harvests lists them, so the two never disagree
    known = {s.id for s in configured}
    rows += [(i, "", "(not configured)") for i in sorted(last) if i not in known]
    lines = []
    for source_id, kind, location in rows:
        run = last.get(source_id, {})
        started = run.get("started")
        lines.append(
            (
                source_id,
                kind,
                location,
                started.strftime("%Y-%m-%d %H:%M") if started else "never",
                run.get("outcome", ""),
                _n(run.get("published")),
            )
        )
    if not out.isatty():
        # a pipe or a log: one tab-separated line per source, whole, whatever its width
        # (a table squeezed to 80 columns hid ids and locations when many sources had runs)
        for line in [SOURCE_COLUMNS, *lines]:
            print("\t".join(line), file=out)
        return
    for line in lines:
        table.add_row(*line)
    Console(file=out).print(table)
