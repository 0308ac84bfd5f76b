"""Metadata quality per harvested dataset and per source, in the spirit of piveau's MQA, as DQV.

The indicators and their points are MQA's (data.europa.eu's Metadata Quality Assessment; the
metrics and ``pv:trueScore`` values of piveau's DQV vocabulary, ``namespaces.PIVEAU``),
grouped in MQA's five dimensions. Only the indicators that can be decided from the harvested
metadata and the bundled code lists are scored; left out are the reachability of access and
download URLs (MQA: HTTP status, 50 + 30 points; the loader does not probe every URL) and
"non-proprietary" / "machine-interpretable" formats (20 + 20; their EDP lists are not bundled).
So a dataset can reach 285 points, not MQA's 405, and scores are given as a share in per cent:

=================  =====================================================  =======
dimension          indicator (piveau metric) — points                      maximum
=================  =====================================================  =======
findability        keyword 30, theme 30, spatial 20, temporal 20           100
accessibility      download URL 20 (per distribution)                       20
interoperability   format 20, media type 10, both from their vocabulary     70
                   10 (per distribution), DCAT-AP compliance 30
reusability        licence 20, licence from the dcat-ap.de list 10 (per     75
                   distribution), access rights 10, from the EU list 5,
                   contact point 20, publisher 10
contextuality      rights 5, byte size 5, issued 5, modified 5 (per         20
                   distribution)
=================  =====================================================  =======

A distribution indicator counts its points times the share of the dataset's distributions
that meet it (MQA counts distributions too); a dataset without distributions gets none of
them. DCAT-AP compliance: the dataset has no SHACL violation against the source's checks (no
points when the source is not validated). The measurements are made on the candidate as
harvested and repaired, before datasets are held back, so a held-back dataset has its score
too; a source's score is the mean over its datasets.

Stored in the metadata graph when a run publishes, replacing the source's earlier ones: per
dataset and per source (``dqv:computedOn`` the source's graph) one ``dqv:QualityMeasurement``
per dimension and one for the whole (``hv:findability`` … ``hv:qualityScore``, terms in
``quality-vocabulary.ttl``), ``dqv:value`` an ``xsd:decimal`` per cent, ``prov:wasGeneratedBy``
the run.

May not: fetch anything or decide what is published (acceptance does).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from pyoxigraph import DefaultGraph, Literal, NamedNode, RdfFormat, Store, Triple, serialize

from regiograph.loader import acceptance, codelists
from regiograph.loader.map.construct import text
from regiograph.namespaces import (
    DCAT,
    DCT,
    DQV,
    EU_AUTHORITY,
    HV,
    IANA_MEDIA_TYPES,
    PROV,
    RDF_TYPE,
    XSD,
)

DIMENSIONS = ("findability", "accessibility", "interoperability", "reusability", "contextuality")
TOTAL = "qualityScore"
_DEFAULT = DefaultGraph()
Props = dict[str, list]  # predicate IRI -> values of one node


@dataclass(frozen=True)
class Indicator:
    metric: str  # piveau's metric (local name in https://piveau.eu/ns/voc#)
    dimension: str
    points: int
    on: str  # "dataset" or "distribution"
    met: Callable[[Props], bool]


def _has(predicate: str) -> Callable[[Props], bool]:
    return lambda props: bool(props.get(predicate))


def _member_of(predicate: str, scheme: str) -> Callable[[Props], bool]:
    def met(props: Props) -> bool:
        lists = codelists.load()
        values = props.get(predicate, [])
        return any(lists.members.get(v.value) == scheme for v in values if _iri(v))

    return met


def _aligned(props: Props) -> bool:
    """dct:format from the EU file-type list and dcat:mediaType an IANA media type, for those
    given (at least one)."""
    formats, media = props.get(DCT + "format", []), props.get(DCAT + "mediaType", [])
    if not formats and not media:
        return False
    lists = codelists.load()
    file_types = EU_AUTHORITY + "file-type"
    formats_ok = all(_iri(f) and lists.members.get(f.value) == file_types for f in formats)
    media_ok = all(_iri(m) and m.value.startswith(_IANA) for m in media)
    return formats_ok and media_ok


_IANA = (IANA_MEDIA_TYPES, IANA_MEDIA_TYPES.replace("https:", "http:"))
INDICATORS = (
    Indicator("keywordAvailability", "findability", 30, "dataset", _has(DCAT + "keyword")),
    Indicator("categoryAvailability", "findability", 30, "dataset", _has(DCAT + "theme")),
    Indicator("spatialAvailability", "findability", 20, "dataset", _has(DCT + "spatial")),
    Indicator("temporalAvailability", "findability", 20, "dataset", _has(DCT + "temporal")),
    Indicator(
        "downloadUrlAvailability", "accessibility", 20, "distribution", _has(DCAT + "downloadURL")
    ),
    Indicator("formatAvailability", "interoperability", 20, "distribution", _has(DCT + "format")),
    Indicator(
        "mediaTypeAvailability", "interoperability", 10, "distribution", _has(DCAT + "mediaType")
    ),
    Indicator(
        "formatMediaTypeVocabularyAlignment", "interoperability", 10, "distribution", _aligned
    ),
    Indicator("licenceAvailability", "reusability", 20, "distribution", _has(DCT + "license")),
    Indicator(
        "knownLicence",
        "reusability",
        10,
        "distribution",
        _member_of(DCT + "license", codelists.DCATDE_DEF + "licenses"),
    ),
    Indicator("accessRightsAvailability", "reusability", 10, "dataset", _has(DCT + "accessRights")),
    Indicator(
        "accessRightsVocabularyAlignment",
        "reusability",
        5,
        "dataset",
        _member_of(DCT + "accessRights", EU_AUTHORITY + "access-right"),
    ),
    Indicator(
        "contactPointAvailability", "reusability", 20, "dataset", _has(DCAT + "contactPoint")
    ),
    Indicator("publisherAvailability", "reusability", 10, "dataset", _has(DCT + "publisher")),
    Indicator("rightsAvailability", "contextuality", 5, "distribution", _has(DCT + "rights")),
    Indicator("byteSizeAvailability", "contextuality", 5, "distribution", _has(DCAT + "byteSize")),
    Indicator("dateIssuedAvailability", "contextuality", 5, "distribution", _has(DCT + "issued")),
    Indicator(
        "dateModifiedAvailability", "contextuality", 5, "distribution", _has(DCT + "modified")
    ),
)
COMPLIANCE = Indicator("dcatApCompliance", "interoperability", 30, "dataset", lambda _: False)
MAXIMUM = {
    d: sum(i.points for i in (*INDICATORS, COMPLIANCE) if i.dimension == d) for d in DIMENSIONS
}


@dataclass
class Score:
    """Points per dimension of one dataset (of :data:`MAXIMUM`)."""

    points: dict[str, float] = field(default_factory=lambda: dict.fromkeys(DIMENSIONS, 0.0))

    def percent(self) -> dict[str, float]:
        """Per dimension and as a whole (``qualityScore``), per cent of the reachable points."""
        shares = {d: 100 * self.points[d] / MAXIMUM[d] for d in DIMENSIONS}
        shares[TOTAL] = 100 * sum(self.points.values()) / sum(MAXIMUM.values())
        return shares


@dataclass
class Quality:
    datasets: dict[NamedNode, Score] = field(default_factory=dict)
    checked: bool = True  # whether DCAT-AP compliance was decided by a validation

    def source(self) -> dict[str, float]:
        """The source's score: the mean of its datasets' per cent, per dimension and whole."""
        if not self.datasets:
            return {}
        shares = [score.percent() for score in self.datasets.values()]
        return {key: sum(s[key] for s in shares) / len(shares) for key in (*DIMENSIONS, TOTAL)}


def measure(candidate: Store, verdicts: acceptance.Acceptance | None, checked: bool) -> Quality:
    """The score of every ``dcat:Dataset`` in ``candidate`` (named ones; a blank-node dataset
    cannot be pointed at from the metadata graph). ``verdicts`` give each dataset's SHACL
    results; ``checked`` says whether the source was validated at all."""
    quality = Quality(checked=checked)
    dataset_class = NamedNode(DCAT + "Dataset")
    for quad in candidate.quads_for_pattern(None, NamedNode(RDF_TYPE), dataset_class, _DEFAULT):
        dataset = quad.subject
        if isinstance(dataset, NamedNode):
            verdict = verdicts.verdicts.get(dataset) if verdicts else None
            compliant = checked and not (
                verdict and any(r.severity_name == "Violation" for r in verdict.results)
            )
            quality.datasets[dataset] = _score(candidate, dataset, compliant)
    return quality


def _score(candidate: Store, dataset: NamedNode, compliant: bool) -> Score:
    props = _props(candidate, dataset)
    distributions = [_props(candidate, d) for d in props.get(DCAT + "distribution", [])]
    score = Score()
    for indicator in INDICATORS:
        if indicator.on == "dataset":
            share = 1.0 if indicator.met(props) else 0.0
        else:
            met = sum(indicator.met(d) for d in distributions)
            share = met / len(distributions) if distributions else 0.0
        score.points[indicator.dimension] += indicator.points * share
    if compliant:
        score.points[COMPLIANCE.dimension] += COMPLIANCE.points
    return score


def _props(candidate: Store, node) -> Props:
    props: Props = {}
    for quad in candidate.quads_for_pattern(node, None, None, _DEFAULT):
        props.setdefault(quad.predicate.value, []).append(quad.object)
    return props


def _iri(term) -> bool:
    return isinstance(term, NamedNode)


def triples(quality: Quality, run: str, source_graph: str) -> list[Triple]:
    """The DQV measurements of one run: per dataset and for the source (``source_graph``)."""
    out: list[Triple] = []
    subjects = [(dataset, score.percent()) for dataset, score in quality.datasets.items()]
    if quality.datasets:
        subjects.append((NamedNode(source_graph), quality.source()))
    for number, (node, shares) in enumerate(subjects, 1):
        for key, share in shares.items():
            out += _measurement(NamedNode(f"{run}/quality/{number}/{key}"), node, key, share, run)
    return out


def _measurement(iri: NamedNode, node: NamedNode, key: str, share: float, run: str):
    value = Literal(str(Decimal(str(round(share, 1)))), datatype=NamedNode(XSD + "decimal"))
    return [
        Triple(iri, NamedNode(RDF_TYPE), NamedNode(DQV + "QualityMeasurement")),
        Triple(iri, NamedNode(DQV + "computedOn"), node),
        Triple(iri, NamedNode(DQV + "isMeasurementOf"), NamedNode(HV + key)),
        Triple(iri, NamedNode(DQV + "value"), value),
        Triple(iri, NamedNode(PROV + "wasGeneratedBy"), NamedNode(run)),
    ]


def record(store, quality: Quality | None, run: str, source_id: str, source_graph: str) -> None:
    """Replace the source's measurements in the metadata graph with this run's."""
    if quality is None:
        return
    meta = NamedNode(store.meta_graph)
    store.update(
        text("drop-quality.ru"),
        {"meta": meta, "sourceId": Literal(source_id), "run": NamedNode(run)},
        content=False,
    )
    measured = triples(quality, run, source_graph)
    if measured:
        # 30 triples per dataset, more than the dataset itself in bench/harvest_dcat.py: by the
        # store's bulk path (8x faster than a transaction there; issue 16's speed). A load cut
        # short leaves part of this run's measurements, which the next published run replaces.
        data = serialize(measured, format=RdfFormat.N_TRIPLES)
        store.add_to_graph(store.meta_graph, data, unsafe_bulk=True)
