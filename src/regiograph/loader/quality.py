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

Stored in the metadata graph when a run publishes, replacing the source's earlier ones
(``hv:findability`` … ``hv:qualityScore``, terms in ``quality-vocabulary.ttl``; ``dqv:value`` an
``xsd:decimal`` per cent): per dataset one measurement per dimension, three triples under an
IRI fixed by source, dataset and dimension, written as their difference from what is stored
(known from a memo in the data directory while its digest matches the stored
``hv:measurementsDigest``: :mod:`.qualitymemo`). The whole is the dimensions' points, not
stored (:mod:`regiograph.loader.scores`). Per source (``dqv:computedOn`` its graph): one per
dimension and one for the whole, typed ``dqv:QualityMeasurement`` and ``prov:wasGeneratedBy``
the run.

May not: fetch anything or decide what is published (acceptance does).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from pyoxigraph import DefaultGraph, Literal, NamedNode, RdfFormat, Store, Triple, serialize

from regiograph import iris
from regiograph.loader import acceptance, codelists, qualitymemo
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
_LICENCES = codelists.DCATDE_DEF + "licenses"
_ACCESS = EU_AUTHORITY + "access-right"


def _dimension(name: str, *rows: tuple) -> tuple[Indicator, ...]:
    """One of MQA's dimensions: its indicators as rows of (metric, points, on, met)."""
    return tuple(Indicator(metric, name, points, on, met) for metric, points, on, met in rows)


INDICATORS = (
    *_dimension(
        "findability",
        ("keywordAvailability", 30, "dataset", _has(DCAT + "keyword")),
        ("categoryAvailability", 30, "dataset", _has(DCAT + "theme")),
        ("spatialAvailability", 20, "dataset", _has(DCT + "spatial")),
        ("temporalAvailability", 20, "dataset", _has(DCT + "temporal")),
    ),
    *_dimension(
        "accessibility",
        ("downloadUrlAvailability", 20, "distribution", _has(DCAT + "downloadURL")),
    ),
    *_dimension(
        "interoperability",
        ("formatAvailability", 20, "distribution", _has(DCT + "format")),
        ("mediaTypeAvailability", 10, "distribution", _has(DCAT + "mediaType")),
        ("formatMediaTypeVocabularyAlignment", 10, "distribution", _aligned),
    ),
    *_dimension(
        "reusability",
        ("licenceAvailability", 20, "distribution", _has(DCT + "license")),
        ("knownLicence", 10, "distribution", _member_of(DCT + "license", _LICENCES)),
        ("accessRightsAvailability", 10, "dataset", _has(DCT + "accessRights")),
        (
            "accessRightsVocabularyAlignment",
            5,
            "dataset",
            _member_of(DCT + "accessRights", _ACCESS),
        ),
        ("contactPointAvailability", 20, "dataset", _has(DCAT + "contactPoint")),
        ("publisherAvailability", 10, "dataset", _has(DCT + "publisher")),
    ),
    *_dimension(
        "contextuality",
        ("rightsAvailability", 5, "distribution", _has(DCT + "rights")),
        ("byteSizeAvailability", 5, "distribution", _has(DCAT + "byteSize")),
        ("dateIssuedAvailability", 5, "distribution", _has(DCT + "issued")),
        ("dateModifiedAvailability", 5, "distribution", _has(DCT + "modified")),
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


def source_triples(quality: Quality, run: str, source_graph: str) -> list[Triple]:
    """The source's measurements of one run (``dqv:computedOn`` its graph): one per dimension
    and the whole, each typed and ``prov:wasGeneratedBy`` the run."""
    if not quality.datasets:
        return []
    node, out = NamedNode(source_graph), []
    for key, share in quality.source().items():
        iri = NamedNode(f"{run}/quality/{key}")
        out += [
            Triple(iri, NamedNode(RDF_TYPE), NamedNode(DQV + "QualityMeasurement")),
            Triple(iri, NamedNode(DQV + "computedOn"), node),
            Triple(iri, NamedNode(DQV + "isMeasurementOf"), NamedNode(HV + key)),
            Triple(iri, NamedNode(DQV + "value"), _decimal(share)),
            Triple(iri, NamedNode(PROV + "wasGeneratedBy"), NamedNode(run)),
        ]
    return out


def dataset_values(quality: Quality, base: str, source_id: str) -> dict[str, tuple[str, str]]:
    """{measurement IRI: (dataset IRI, value)}: one measurement per dataset and dimension, its
    IRI fixed by source, dataset and dimension (:func:`iris.quality_measurement`), so that a
    re-harvest that scores a dataset as before writes nothing for it."""
    out = {}
    for dataset, score in quality.datasets.items():
        shares = score.percent()
        first = iris.quality_measurement(base, source_id, dataset.value, DIMENSIONS[0])
        prefix = first.rsplit("/", 1)[0]  # one digest per dataset, not per dimension
        for dimension in DIMENSIONS:
            out[f"{prefix}/{dimension}"] = (dataset.value, _number(shares[dimension]))
    return out


def _number(share: float) -> str:
    return str(Decimal(str(round(share, 1))))


def _decimal(share: float) -> Literal:
    return Literal(_number(share), datatype=NamedNode(XSD + "decimal"))


def record(
    store,
    quality: Quality | None,
    run: str,
    source_id: str,
    source_graph: str,
    base: str,
    memo: Path | None = None,
) -> None:
    """Replace the source's measurements in the metadata graph with this run's: the source's
    own (six) anew, the datasets' by their difference from what is stored — known from ``memo``
    (:mod:`.qualitymemo`) when it matches the stored digest, else read from the store."""
    if quality is None:
        return
    meta = NamedNode(store.meta_graph)
    store.update(
        text("drop-quality.ru"),
        {"meta": meta, "sourceId": Literal(source_id), "run": NamedNode(run)},
        content=False,
    )
    wanted = dataset_values(quality, base, source_id)
    wanted_digest = qualitymemo.digest(wanted)
    holder = iris.quality_source(base, source_id)
    stored = qualitymemo.read(memo, _stored_digest(store, meta, holder))
    if stored is None:
        stored = _stored(store, meta, iris.quality_measurements(base, source_id))
    whole = serialize(source_triples(quality, run, source_graph), format=RdfFormat.N_TRIPLES)
    graph = f"GRAPH <{store.meta_graph}>"
    new_digest = _digest_update(graph, holder, wanted_digest)
    if not stored:
        # 5 triples x 3 per dataset on a source's first publication: by the store's bulk path
        # (8x faster than a transaction in bench/harvest_dcat.py; issue 16's speed). A load cut
        # short leaves part of them and no digest, so the next run reads what is there and
        # writes the difference.
        lines = "".join(_lines(iri, dataset, value) for iri, (dataset, value) in wanted.items())
        store.add_to_graph(store.meta_graph, whole + lines.encode("utf-8"), unsafe_bulk=True)
        store.update(new_digest, content=False)
    else:
        gone = [_lines(iri, *old) for iri, old in stored.items() if wanted.get(iri) != old]
        new = [_lines(iri, *now) for iri, now in wanted.items() if stored.get(iri) != now]
        store.update(
            f"DELETE DATA {{ {graph} {{\n{''.join(gone)}}} }} ;\n"
            f"INSERT DATA {{ {graph} {{\n{whole.decode('utf-8')}{''.join(new)}}} }} ;\n"
            f"{new_digest}",
            content=False,
        )
    qualitymemo.write(memo, wanted, wanted_digest)


def _lines(iri: str, dataset: str, value: str) -> str:
    dimension = iri.rsplit("/", 1)[1]
    return (
        f"<{iri}> <{DQV}computedOn> <{dataset}> .\n"
        f"<{iri}> <{DQV}isMeasurementOf> <{HV}{dimension}> .\n"
        f'<{iri}> <{DQV}value> "{value}"^^<{XSD}decimal> .\n'
    )


def _digest_update(graph: str, holder: str, digest: str) -> str:
    """The update that replaces the digest of the source's dataset measurements."""
    triple = f"<{holder}> <{HV}measurementsDigest>"
    return (
        f"DELETE WHERE {{ {graph} {{ {triple} ?digest }} }} ;\n"
        f'INSERT DATA {{ {graph} {{ {triple} "{digest}" }} }}'
    )


def _stored_digest(store, meta: NamedNode, holder: str) -> str | None:
    """The digest written with the source's dataset measurements (:mod:`.qualitymemo`)."""
    rows = store.select(
        f"SELECT ?digest WHERE {{ GRAPH ?meta {{ ?holder <{HV}measurementsDigest> ?digest }} }}",
        {"meta": meta, "holder": NamedNode(holder)},
    )
    return rows[0]["digest"].value if len(rows) == 1 else None


def _stored(store, meta: NamedNode, prefix: str) -> dict[str, tuple[str, str]]:
    """The source's dataset measurements in the metadata graph: {IRI: (dataset, value)}."""
    rows = store.select(text("stored-quality.rq"), {"meta": meta, "prefix": Literal(prefix)})
    return {
        row["m"].value: (row["d"].value, _number(float(row["v"].value)))
        for row in rows
        if isinstance(row["d"], NamedNode)
    }
