"""Gebietsreform as bad input (issue 14): municipalities merged or dissolved between two
Stichtage of the real Destatis registers (../shared/data), derived by the demo's script and
harvested through the loader with the demo's mappings.

Real changes in the files: Beerfelden, Hesseneck, Rothenberg and Sensbachtal (Odenwaldkreis)
are in the register up to 31.12.2017, the Stadt Oberzent (06437016) from 31.12.2019;
Neitersen (Altenkirchen) has the key 07132074 up to 2019 and 07132502 from 2021; Lahr in the
Hunsrück is in Cochem-Zell (07135050) up to 2013 and in the Rhein-Hunsrück-Kreis (07140502)
from 2017. Each key's series ends where the key ends; no loaded source names a successor, so
none is linked, and two keys of one name stay two places.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest
from pyoxigraph import NamedNode

from httpfixtures import make_source
from regiograph.loader import pipeline

ROOT = Path(__file__).resolve().parents[1]
MAPPINGS = ROOT / "demo/mappings"
RG = "https://w3id.org/regiograph/ontology#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
GV_CONSTRUCTS = [
    "gv-gebiete.rq",
    "gv-gemeinden.rq",
    "gv-beobachtungen.rq",
    "gv-fruehere-gemeinden.rq",
]
# Odenwaldkreis (HE), Altenkirchen, Cochem-Zell, Rhein-Hunsrück-Kreis (RP)
DISTRICTS = {"06437", "07132", "07135", "07140"}
DISSOLVED_INTO_OBERZENT = {
    "06437002": "Beerfelden",
    "06437008": "Hesseneck",
    "06437014": "Rothenberg",
    "06437015": "Sensbachtal",
}


@pytest.fixture(scope="module")
def reform(shared_data, scratch_platform, tmp_path_factory):
    """The four districts' register rows of 2009 to 2023 published through the loader: (store,
    graph, base IRI)."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        derive = importlib.import_module("derive_demo_data")
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    folder = tmp_path_factory.mktemp("gebietsreform")
    rows = derive.gemeindeverzeichnis(shared_data, DISTRICTS)
    derive.write_csv(folder / "gv.csv", ["stichtag", *derive.GV_COLUMNS], rows)
    source = make_source(
        folder,
        id="gebietsreform-gv",
        kind="csv",
        location="gv.csv",
        mapping=str(MAPPINGS / "gv-jahre.csv-metadata.json"),
        construct=[str(MAPPINGS / name) for name in GV_CONSTRUCTS],
        base_iri="{base}",
    )
    config, store = scratch_platform
    result = pipeline.harvest(config, store, source, force=True)
    assert result.outcome == "published", result.message
    return store, source.graph(config.base_iri), config.base_iri


def population_years(reform, ags: str) -> list[str]:
    store, graph, base = reform
    rows = store.select(
        f"""SELECT ?year WHERE {{ GRAPH ?g {{
              ?obs <http://purl.org/linked-data/sdmx/2009/dimension#refArea> ?m ;
                   <{RG}indicator> <https://w3id.org/regiograph/concepts/indicator/population> ;
                   <{RG}refPeriod> ?year }} }}""",
        {"g": NamedNode(graph), "m": NamedNode(f"{base}id/municipality/{ags}")},
    )
    return sorted(row["year"].value for row in rows)


def links_between(reform, one: str, other: str) -> list[str]:
    """Every triple of the graph that joins the two municipalities, in either direction."""
    store, graph, base = reform
    rows = store.select(
        "SELECT ?p WHERE { GRAPH ?g { { ?a ?p ?b } UNION { ?b ?p ?a } } }",
        {
            "g": NamedNode(graph),
            "a": NamedNode(f"{base}id/municipality/{one}"),
            "b": NamedNode(f"{base}id/municipality/{other}"),
        },
    )
    return [row["p"].value for row in rows]


def is_municipality(reform, ags: str) -> bool:
    store, graph, base = reform
    return store.ask(
        f"ASK WHERE {{ GRAPH ?g {{ ?m a <{RG}Municipality> }} }}",
        {"g": NamedNode(graph), "m": NamedNode(f"{base}id/municipality/{ags}")},
    )


def test_a_merged_municipalitys_series_ends_where_its_key_ends(reform):
    for ags in DISSOLVED_INTO_OBERZENT:
        assert population_years(reform, ags) == ["2009", "2013", "2017"], ags
        assert not is_municipality(reform, ags), ags  # not counted among today's municipalities
    # Oberzent begins with its own key, nothing of the four before it
    assert population_years(reform, "06437016") == ["2019", "2021", "2023"]
    assert is_municipality(reform, "06437016")


def test_a_former_key_keeps_its_name_and_says_up_to_when(reform):
    store, graph, base = reform
    for ags, name in DISSOLVED_INTO_OBERZENT.items():
        said = {
            (row["p"].value, row["o"].value)
            for row in store.select(
                "SELECT ?p ?o WHERE { GRAPH ?g { ?m ?p ?o } }",
                {"g": NamedNode(graph), "m": NamedNode(f"{base}id/municipality/{ags}")},
            )
        }
        assert (RDFS_LABEL, name) in said and (RG + "ags", ags) in said, ags
        notes = [o for p, o in said if p.endswith("historyNote")]
        assert len(notes) == 2 and any("bis zum Stichtag 31.12.2017" in n for n in notes), notes
        assert any("names no successor" in n for n in notes), notes


def test_no_successor_is_linked_that_no_source_names(reform):
    # The registers list the keys of each Stichtag; none of them says which key followed which
    for ags in DISSOLVED_INTO_OBERZENT:
        assert links_between(reform, ags, "06437016") == [], ags


def test_two_keys_of_one_name_stay_two_places(reform):
    # Neitersen (Altenkirchen) under its old and new key, Lahr before and after its Kreis change
    for old, new, old_years, new_years in (
        ("07132074", "07132502", ["2009", "2013", "2017", "2019"], ["2021", "2023"]),
        ("07135050", "07140502", ["2009", "2013"], ["2017", "2019", "2021", "2023"]),
    ):
        assert population_years(reform, old) == old_years
        assert population_years(reform, new) == new_years
        assert links_between(reform, old, new) == []
        assert not is_municipality(reform, old) and is_municipality(reform, new)
