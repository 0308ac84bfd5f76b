"""The platform's own datasets and the catalogue's own description, from the Turtle templates.

Fixed datasets come from ``datasets.toml``, one more per statistics cube in the store. Their
distributions are the dumps of the current manifest (size, checksum), the knowledge graph
also gets the per-graph dumps and the SPARQL endpoint. Every value reaches the graph as an
RDF term through :func:`template.fill`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache

from pyoxigraph import Literal, NamedNode, Triple

from regiograph import iris
from regiograph.catalog import cubes
from regiograph.catalog.dumps import Manifest
from regiograph.catalog.sparql import HERE, query
from regiograph.catalog.template import fill
from regiograph.namespaces import (
    DCATDE_GEOCODING,
    DCATDE_REGIONAL_KEY,
    EU_AUTHORITY,
    IANA_MEDIA_TYPES,
    XSD,
)
from regiograph.store import Store

_MUNICIPALITY_LEVEL = NamedNode(DCATDE_GEOCODING + "Level/municipality")
_GZIP = NamedNode(IANA_MEDIA_TYPES + "application/gzip")


@dataclass(frozen=True)
class Settings:
    """The catalogue's settings, resolved from the configuration once."""

    base: str
    title: str
    publisher: NamedNode
    publisher_name: str
    contact_email: NamedNode
    contributor: NamedNode | None
    licence: NamedNode
    page_size: int

    @classmethod
    def from_config(cls, config) -> Settings:
        base = config.base_iri
        email = config["catalog.contact_email"]
        contributor = config["catalog.contributor_id"]
        return cls(
            base=base,
            title=config["site.title"],
            publisher=NamedNode(
                config["catalog.publisher_iri"] or iris.thing(base, "organisation", "operator")
            ),
            publisher_name=config["catalog.publisher_name"] or config["site.title"],
            contact_email=NamedNode(email if email.startswith("mailto:") else f"mailto:{email}"),
            contributor=NamedNode(contributor) if contributor else None,
            licence=NamedNode(config["catalog.licence"]),
            page_size=config["catalog.page_size"],
        )


@cache
def fixed_datasets() -> tuple[dict, ...]:
    return tuple(tomllib.loads((HERE / "datasets.toml").read_text("utf-8"))["datasets"])


def selections() -> dict[str, str]:
    """slug -> CONSTRUCT query name, for the dumps of the fixed datasets."""
    return {d["slug"]: d["selection"] for d in fixed_datasets() if d["selection"]}


def catalogue_triples(s: Settings, modified: Literal, spatial: list[NamedNode]) -> list[Triple]:
    """The catalogue node, its publisher, contact point and the SPARQL DataService."""
    return fill(
        "catalog.ttl",
        s.base,
        {
            "title_de": Literal(f"{s.title}: Datenkatalog", language="de"),
            "title_en": Literal(f"{s.title}: data catalogue", language="en"),
            "description_de": Literal(
                f"Offene Daten der Region auf {s.title}: eigene Datensätze "
                "der Plattform und aus den Portalen der Region geerntete.",
                language="de",
            ),
            "description_en": Literal(
                f"Open data of the region on {s.title}: the platform's own "
                "datasets and those harvested from the region's portals.",
                language="en",
            ),
            "publisher": s.publisher,
            "publisher_name": Literal(s.publisher_name),
            "contact_email": s.contact_email,
            "licence": s.licence,
            "modified": modified,
            "spatial": spatial,
            "datasets": None,
            "records": None,
        },
    )


def own_datasets(
    s: Settings, store: Store, manifest: Manifest | None, modified: Literal
) -> dict[str, list[Triple]]:
    """Dataset IRI -> its triples (with distributions), for every own dataset."""
    shared = _Shared(manifest, modified, regional_keys(store))
    out: dict[str, list[Triple]] = {}
    for spec in fixed_datasets():
        iri = NamedNode(iris.thing(s.base, "dataset", spec["slug"]))
        files = [f"{spec['slug']}.ttl.gz"]
        if spec["slug"] == "knowledge-graph":
            files = ["full.nq.gz", "full.ttl.gz", *graph_dumps(s.base, manifest)]
        texts = {k: spec[k] for k in ("title_de", "title_en", "description_de", "description_en")}
        out[iri.value] = _dataset(s, shared, iri, texts, spec, files)
    for cube in cubes.list_cubes(store):
        stem = cubes.stem(cube["cube"])
        texts = _cube_texts(cube, stem)
        spec = {
            "themes": ["REGI", "SOCI"],
            "keywords": ["Statistik", "RDF Data Cube"],
            "periodicity": "ANNUAL",
        }
        out[cube["cube"].value] = _dataset(
            s, shared, cube["cube"], texts, spec, [f"{stem}.csv", f"{stem}.ttl.gz"]
        )
    return out


def regional_keys(store: Store) -> list[NamedNode]:
    return [
        NamedNode(DCATDE_REGIONAL_KEY + row["ars"].value)
        for row in store.select(query("regional-keys"))
    ]


def graph_dumps(base: str, manifest: Manifest | None) -> list[str]:
    if manifest is None:
        return []
    return sorted(n for n in manifest.files if n.startswith("graph-") and n != "graph-meta.nq.gz")


def _cube_texts(cube: dict, stem: str) -> dict[str, Literal | str]:
    name = stem.removeprefix("cube-")
    label_de = cube.get("label_de")
    label_en = cube.get("label_en")
    return {
        "title_de": label_de.value if label_de else f"Statistik: {name}",
        "title_en": label_en.value if label_en else f"Statistics: {name}",
        "description_de": cube["comment_de"].value
        if cube.get("comment_de")
        else f"Statistischer Würfel {name}: Beobachtungen je Gemeinde und Jahr (RDF Data Cube).",
        "description_en": cube["comment_en"].value
        if cube.get("comment_en")
        else f"Statistics cube {name}: observations per municipality and year (RDF Data Cube).",
    }


@dataclass(frozen=True)
class _Shared:
    """What all own datasets of one data version share."""

    manifest: Manifest | None
    modified: Literal
    spatial: list[NamedNode]


def _dataset(
    s: Settings, shared: _Shared, iri: NamedNode, texts: dict, spec: dict, files: list[str]
) -> list[Triple]:
    manifest, modified, spatial = shared.manifest, shared.modified, shared.spatial
    dumps = [manifest.files[f] for f in files if manifest and f in manifest.files]
    distributions = [NamedNode(iris.thing(s.base, "distribution", d.name)) for d in dumps]
    triples = fill(
        "dataset.ttl",
        s.base,
        {
            "dataset": iri,
            **{k: Literal(v, language=k[-2:]) for k, v in texts.items()},
            "identifier": Literal(iri.value),
            "publisher": s.publisher,
            "contributor": s.contributor,
            "themes": [NamedNode(f"{EU_AUTHORITY}data-theme/{t}") for t in spec["themes"]],
            "keywords": [Literal(k, language="de") for k in spec["keywords"]],
            "spatial": spatial,
            "geocoding_level": _MUNICIPALITY_LEVEL if spatial else None,
            "periodicity": NamedNode(f"{EU_AUTHORITY}frequency/{spec['periodicity']}"),
            "modified": modified,
            "landing_page": None,
            "distributions": distributions,
        },
    )
    for dump, node in zip(dumps, distributions, strict=True):
        triples += _distribution(s, node, dump, modified)
    return triples


def _distribution(s: Settings, node: NamedNode, dump, modified: Literal) -> list[Triple]:
    return fill(
        "distribution.ttl",
        s.base,
        {
            "distribution": node,
            "title": Literal(dump.name),
            "url": NamedNode(iris.dump(s.base, dump.name)),
            "format": NamedNode(f"{EU_AUTHORITY}file-type/{dump.file_type}"),
            "media_type": NamedNode(IANA_MEDIA_TYPES + dump.media_type),
            "compress_format": _GZIP if dump.gzipped else None,
            "licence": s.licence,
            "attribution": Literal(s.publisher_name),
            "byte_size": Literal(str(dump.size), datatype=NamedNode(XSD + "nonNegativeInteger")),
            "modified": modified,
            "checksum": NamedNode(node.value + "#checksum"),
            "checksum_value": Literal(dump.sha256, datatype=NamedNode(XSD + "hexBinary")),
        },
    )
