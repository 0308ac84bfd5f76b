"""Every namespace IRI the Python code uses, defined once, and the one prefix table.

Each constant holds a namespace IRI as a string, named after its usual prefix; a term is the
namespace plus its local name (``RDFS + "label"``), wrapped in ``pyoxigraph.NamedNode`` where
a term object is needed. ``PREFIXES`` maps every prefix the platform writes or reads to its
namespace; a serialiser, a JSON-LD context or a report that shows only some of them picks its
rows with :func:`prefixes` (in the order it names them, which is the order they are written).
SPARQL built in Python gets its ``PREFIX`` lines from :func:`sparql_prefixes`.

``.rq``/``.ru`` files and Turtle templates keep their own ``PREFIX``/``@prefix`` lines: they
are data, read as they are. This module may not import anything of the platform (everyone
imports it).
"""

from __future__ import annotations

# --- the platform's own vocabularies --------------------------------------------------------
RG = "https://w3id.org/regiograph/ontology#"
RGSH = "https://w3id.org/regiograph/shapes#"
HV = (
    "https://w3id.org/regiograph/harvest#"  # the harvest vocabulary (loader/harvest-vocabulary.ttl)
)
CONCEPTS = "https://w3id.org/regiograph/concepts/"  # the concept schemes in ontology/concepts/

# --- W3C core -----------------------------------------------------------------------------
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SH = "http://www.w3.org/ns/shacl#"
PROV = "http://www.w3.org/ns/prov#"
ORG = "http://www.w3.org/ns/org#"
QB = "http://purl.org/linked-data/cube#"
SD = "http://www.w3.org/ns/sparql-service-description#"
W3C_FORMATS = "http://www.w3.org/ns/formats/"  # W3C's IRIs for media types (SD, VoID)
HYDRA = "http://www.w3.org/ns/hydra/core#"
VCARD = "http://www.w3.org/2006/vcard/ns#"

# --- catalogues and metadata --------------------------------------------------------------
DCAT = "http://www.w3.org/ns/dcat#"
DCT = "http://purl.org/dc/terms/"
ADMS = "http://www.w3.org/ns/adms#"
VOID = "http://rdfs.org/ns/void#"
SPDX = "http://spdx.org/rdf/terms#"
DQV = "http://www.w3.org/ns/dqv#"  # W3C Data Quality Vocabulary
PIVEAU = "https://piveau.eu/ns/voc#"  # piveau MQA: its dimensions and metrics
DCATAP = "http://data.europa.eu/r5r#"
DCATDE = "http://dcat-ap.de/def/dcatde/"
DCATDE_LICENCES = "http://dcat-ap.de/def/licenses/"  # DCAT-AP.de's licence IRIs
DCATDE_GEOCODING = "http://dcat-ap.de/def/politicalGeocoding/"
DCATDE_REGIONAL_KEY = DCATDE_GEOCODING + "regionalKey/"  # one IRI per Regionalschlüssel
EU_AUTHORITY = "http://publications.europa.eu/resource/authority/"  # EU controlled vocabularies
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
# Library of Congress IRIs of ISO 639 language codes, which some portals send for dct:language
LOC_ISO639_1 = "http://id.loc.gov/vocabulary/iso639-1/"
LOC_ISO639_2 = "http://id.loc.gov/vocabulary/iso639-2/"

# --- domain vocabularies ------------------------------------------------------------------
FOAF = "http://xmlns.com/foaf/0.1/"
SCHEMA = "https://schema.org/"
# CSVW's initial context still binds ``schema:`` to the http form; only CSV mapping uses it.
SCHEMA_HTTP = "http://schema.org/"
GEO = "http://www.opengis.net/ont/geosparql#"
CV = "http://data.europa.eu/m8g/"
CPSV = "http://purl.org/vocab/cpsv#"
SDMX_DIMENSION = "http://purl.org/linked-data/sdmx/2009/dimension#"
SDMX_MEASURE = "http://purl.org/linked-data/sdmx/2009/measure#"
SDMX_ATTRIBUTE = "http://purl.org/linked-data/sdmx/2009/attribute#"
WD = "http://www.wikidata.org/entity/"
WDT = "http://www.wikidata.org/prop/direct/"

RDF_TYPE = RDF + "type"

PREFIXES: dict[str, str] = {
    "rg": RG,
    "rgsh": RGSH,
    "hv": HV,
    "concept": CONCEPTS,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "sh": SH,
    "prov": PROV,
    "org": ORG,
    "qb": QB,
    "sd": SD,
    "formats": W3C_FORMATS,
    "hydra": HYDRA,
    "vcard": VCARD,
    "dcat": DCAT,
    "dct": DCT,
    "dcterms": DCT,  # the same namespace under the name SPARQL editors and CSVW use
    "adms": ADMS,
    "void": VOID,
    "spdx": SPDX,
    "dqv": DQV,
    "pv": PIVEAU,
    "dcatap": DCATAP,
    "dcatde": DCATDE,
    "foaf": FOAF,
    "schema": SCHEMA,
    "geo": GEO,
    "cv": CV,
    "cpsv": CPSV,
    "sdmx-dimension": SDMX_DIMENSION,
    "sdmx-measure": SDMX_MEASURE,
    "sdmx-attribute": SDMX_ATTRIBUTE,
    "wd": WD,
    "wdt": WDT,
}


def prefixes(*names: str) -> dict[str, str]:
    """The rows of ``PREFIXES`` for ``names``, in the order given (a KeyError names a typo)."""
    return {name: PREFIXES[name] for name in names}


def sparql_prefixes(*names: str) -> str:
    """``PREFIX name: <namespace>`` lines for ``names``, each ending in a newline."""
    return "".join(
        f"PREFIX {name}: <{namespace}>\n" for name, namespace in prefixes(*names).items()
    )
