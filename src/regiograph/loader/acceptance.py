"""Acceptance per dataset: which datasets of a candidate are published, which are held back, why.

A *dataset* here is each catalogued resource of the candidate (``dcat:Dataset``,
``dcat:DatasetSeries``, ``dcat:DataService``) together with everything that hangs from it: its
distributions, agents, contact points, periods, checksums … — every node it reaches, not
through another catalogued resource or a catalogue. A node two datasets share (one publisher)
belongs to both, so a violation on it holds back both.

The validation runs once over the whole candidate; its results are then partitioned by the
dataset(s) their focus node belongs to, found by walking the candidate's triples backwards
from the focus node (memoised, so each node is visited once). The cost follows the number of
results, not the size of the catalogue: a clean million-triple catalogue costs one query for
its datasets. A node that belongs to no dataset (the catalogue itself, its own publisher) is
judged alone: held back when it has a blocking result.

A held-back dataset is removed from the candidate with the nodes that only it owns and the
catalogue's link to it; what it shares with a published dataset stays.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Store

from regiograph.loader.shacl.report import Result, compact, term_text
from regiograph.namespaces import DCAT, RDF_TYPE

UNIT_CLASSES = tuple(NamedNode(DCAT + name) for name in ("Dataset", "DatasetSeries", "DataService"))
CATALOG = NamedNode(DCAT + "Catalog")
_TYPE = NamedNode(RDF_TYPE)
_DEFAULT = DefaultGraph()
Text = tuple[str, str]  # (German, English)


@dataclass(frozen=True)
class Repair:
    """One repair the mapping made, on ``node`` (a dataset or a node of one)."""

    node: NamedNode | BlankNode
    what: Text


@dataclass
class Verdict:
    """One dataset: the results about it, the reasons it is held back, its repairs."""

    dataset: NamedNode | BlankNode
    results: list[Result] = field(default_factory=list)
    reasons: list[Text] = field(default_factory=list)
    repairs: list[Text] = field(default_factory=list)

    @property
    def accepted(self) -> bool:
        return not self.reasons


@dataclass
class Acceptance:
    verdicts: dict[NamedNode | BlankNode, Verdict] = field(default_factory=dict)
    # Nodes of no dataset (the catalogue, …) with results, judged alone.
    others: dict[NamedNode | BlankNode, Verdict] = field(default_factory=dict)
    removed: int = 0  # triples taken out of the candidate with what was held back

    @property
    def accepted(self) -> list[Verdict]:
        return [v for v in self.verdicts.values() if v.accepted]

    @property
    def held_back(self) -> list[Verdict]:
        return [v for v in self.verdicts.values() if not v.accepted]

    @property
    def repaired(self) -> list[Verdict]:
        return [v for v in self.verdicts.values() if v.repairs]

    def refusal(self, min_accepted: float) -> Text | None:
        """Why nothing of the source may be published, or None."""
        total, passed = len(self.verdicts), len(self.accepted)
        if not total:
            return None
        if not passed:
            return (
                f"keiner der {total:,} Datensätze besteht die Prüfung; nichts veröffentlicht",
                f"none of the {total:,} datasets passes; nothing published",
            )
        if passed < min_accepted * total:
            share = 100 * passed / total
            return (
                f"nur {passed:,} von {total:,} Datensätzen ({share:.0f} %) bestehen, weniger als "
                f"min_accepted = {min_accepted}",
                f"only {passed:,} of {total:,} datasets ({share:.0f} %) pass, fewer than "
                f"min_accepted = {min_accepted}",
            )
        return None

    def counts(self) -> dict[str, int]:
        return {
            "datasets": len(self.verdicts),
            "accepted": len(self.accepted),
            "held_back": len(self.held_back),
            "repaired": len(self.repaired),
        }


def judge(
    candidate: Store,
    results: Iterable[Result],
    block: Iterable[str],
    repairs: Iterable[Repair] = (),
    owned_elsewhere: dict[NamedNode, str] | None = None,
) -> Acceptance:
    """The verdict on every dataset of ``candidate``; ``block`` names the severities that hold
    a dataset back, ``owned_elsewhere`` datasets another source has published (by its id)."""
    tree = _Tree(candidate)
    acceptance = Acceptance({unit: Verdict(unit) for unit in tree.units})
    blocking = set(block)
    for result in results:
        owners = tree.owners(result.focus)
        verdicts = [acceptance.verdicts[owner] for owner in owners]
        if not owners:
            verdicts = [
                acceptance.others.setdefault(node, Verdict(node))
                for node in tree.holders(result.focus)
            ]
        for verdict in verdicts:
            verdict.results.append(result)
            if result.severity_name in blocking:
                verdict.reasons.append(_reason(result, verdict.dataset))
    for repair in repairs:
        for owner in tree.owners(repair.node):
            acceptance.verdicts[owner].repairs.append(repair.what)
    for dataset, source_id in (owned_elsewhere or {}).items():
        if dataset in acceptance.verdicts:
            acceptance.verdicts[dataset].reasons.append(
                (
                    f"bereits von der Quelle „{source_id}“ veröffentlicht (ein Datensatz hat "
                    "eine Quelle)",
                    f"already published by source '{source_id}' (a dataset has one source)",
                )
            )
    return acceptance


def hold_back(candidate: Store, acceptance: Acceptance) -> None:
    """Take the held-back datasets out of ``candidate``: each with the nodes only held-back
    datasets own, and the catalogue's link to it; and the held-back nodes of no dataset."""
    held = {v.dataset for v in acceptance.held_back}
    doomed = {node for node, verdict in acceptance.others.items() if not verdict.accepted}
    if not held and not doomed:
        return
    tree = _Tree(candidate)
    for dataset in held:
        for node in tree.below(dataset):
            if tree.owners(node) <= held:
                doomed.add(node)
    quads = []
    for node in doomed:
        quads += candidate.quads_for_pattern(node, None, None, _DEFAULT)
        quads += [
            q
            for q in candidate.quads_for_pattern(None, None, node, _DEFAULT)
            if q.subject in tree.catalogs
        ]
    for quad in quads:
        candidate.remove(quad)
    acceptance.removed = len(set(quads))


class _Tree:
    """The candidate read as datasets and what hangs from them."""

    def __init__(self, candidate: Store):
        self.candidate = candidate
        self.units = {
            q.subject
            for cls in UNIT_CLASSES
            for q in candidate.quads_for_pattern(None, _TYPE, cls, _DEFAULT)
        }
        self.catalogs = {q.subject for q in candidate.quads_for_pattern(None, _TYPE, CATALOG)}
        self._owners: dict = {}

    def owners(self, node) -> frozenset:
        """The datasets ``node`` belongs to: those whose nodes have it as a value, through
        any chain (none for the catalogue and for nodes no dataset reaches). A literal or a
        code-list IRI as focus node (a shape aimed at the values of a property) belongs to
        every dataset that uses it."""
        if node in self.units:
            return frozenset([node])
        if node in self.catalogs:
            return frozenset()
        known = self._owners.get(node)
        if known is not None:
            return known
        self._owners[node] = frozenset()  # a cycle back to here adds nothing
        found: set = set()
        for quad in self.candidate.quads_for_pattern(None, None, node, _DEFAULT):
            if quad.predicate != _TYPE and quad.subject not in self.catalogs:
                found |= self.owners(quad.subject)
        self._owners[node] = frozenset(found)
        return self._owners[node]

    def holders(self, node) -> list:
        """What to hold back for a result about ``node`` outside every dataset: the node, or
        for a literal the nodes that have it as a value."""
        if not isinstance(node, Literal):
            return [node]
        return list(
            {q.subject for q in self.candidate.quads_for_pattern(None, None, node, _DEFAULT)}
        )

    def below(self, unit) -> set:
        """``unit`` and every node it reaches, not through another unit or a catalogue."""
        seen, todo = {unit}, [unit]
        while todo:
            node = todo.pop()
            for quad in self.candidate.quads_for_pattern(node, None, None, _DEFAULT):
                child = quad.object
                if (
                    quad.predicate == _TYPE
                    or isinstance(child, Literal)
                    or child in seen
                    or child in self.units
                    or child in self.catalogs
                ):
                    continue
                seen.add(child)
                todo.append(child)
        return seen


def _reason(result: Result, dataset) -> Text:
    where = "" if result.focus == dataset else term_text(result.focus) + " "
    path = compact(result.path.value) + ": " if result.path is not None else ""
    return (
        f"{where}{path}{result.message('de')}",
        f"{where}{path}{result.message('en')}",
    )


def text(
    acceptance: Acceptance, lang: str = "en", limit: int | None = None, everything: bool = False
) -> list[str]:
    """Lines for reading, worst first: held back (why), repaired (what), and with
    ``everything`` the datasets accepted as they were; at most ``limit`` datasets."""
    de = lang == "de"
    lines = []
    for verdict in [v for v in acceptance.others.values() if not v.accepted]:
        lines.append(
            f"{'zurückgehalten (kein Datensatz)' if de else 'held back (no dataset)'}: "
            f"{term_text(verdict.dataset)}"
        )
        lines += [f"    {pick(reason, lang)}" for reason in _unique(verdict.reasons)]
    shown = [v for v in ordered(acceptance) if everything or not v.accepted or v.repairs]
    for verdict in shown[:limit]:
        word = ("angenommen", "accepted") if verdict.accepted else ("zurückgehalten", "held back")
        lines.append(f"{pick(word, lang)}: {term_text(verdict.dataset)}")
        lines += [f"    {pick(reason, lang)}" for reason in _unique(verdict.reasons)]
        if verdict.repairs:
            lines.append(f"    {'Reparaturen' if de else 'repairs'}:")
            lines += [f"      {pick(what, lang)}" for what in _unique(verdict.repairs)]
    return lines


def ordered(acceptance: Acceptance) -> list[Verdict]:
    """Held back first, then repaired, then the rest; by IRI within each."""
    return sorted(
        acceptance.verdicts.values(),
        key=lambda v: (v.accepted, not v.repairs, str(v.dataset)),
    )


def _unique(items: list[Text]) -> list[Text]:
    return list(dict.fromkeys(items))


def pick(words: Text, lang: str) -> str:
    return words[0] if lang == "de" else words[1]
