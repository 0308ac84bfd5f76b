"""Reading the W3C SPARQL 1.1 Protocol and Service Description test manifests.

The protocol manifest describes each test as HTTP requests (``ht:Request``: method, path,
headers, body with its character encoding) and expected responses (``mf:expectedStatus``
as a status class, ``mf:expectedFormat`` "boolean"/"tabular"/"RDF", ``mf:expectedBoolean``),
plus the data to load first (``ut:graphData``: a file and the graph name in its label). This
module turns them into plain dataclasses; ``tests/test_sparql_w3c.py`` runs them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit
from xml.etree import ElementTree

from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = "http://www.w3.org/2011/http-statusCodes#StatusCode"

RESULT_TYPES = {
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
}
BOOLEAN_TYPES = {"application/sparql-results+json", "application/sparql-results+xml"}
RDF_TYPES = {
    "text/turtle",
    "application/n-triples",
    "application/rdf+xml",
    "text/plain",
    "application/ld+json",
    "application/n-quads",
    "application/trig",
}


@dataclass
class Expected:
    status_classes: set[int]  # 2, 3, 4, 5
    format: str | None = None
    boolean: bool | None = None


@dataclass
class HttpRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    expected: Expected

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def is_update(self, test_id: str) -> bool:
        """Whether the request is for the update endpoint rather than the query endpoint."""
        if self.content_type == "application/sparql-update":
            return True
        if self.content_type == "application/sparql-query":
            return False
        names = {k for k, _ in parse_qsl(urlsplit(self.path).query)}
        if self.content_type == "application/x-www-form-urlencoded" and self.body:
            names |= {k for k, _ in parse_qsl(self.body.decode("utf-8", "replace"))}
        if names & {"update", "using-graph-uri", "using-named-graph-uri"}:
            return True
        if "query" in names:
            return False
        return "update" in test_id


@dataclass
class ProtocolTest:
    id: str  # the local name in the manifest, e.g. query_post_form
    name: str
    requests: list[HttpRequest]
    graph_data: list[tuple[str, Path]] = field(default_factory=list)  # (graph name, file)


def protocol_tests(manifest: Path) -> list[ProtocolTest]:
    graph = Graph().parse(manifest, format="turtle")
    (root,) = graph.subjects(RDF.type, MF.Manifest)
    entries = Collection(graph, graph.value(root, MF.entries))
    return [_protocol_test(graph, entry, manifest.parent) for entry in entries]


def service_description_tests(manifest: Path) -> list[tuple[str, str]]:
    """(id, name) of the Service Description tests; what they check is in their names."""
    graph = Graph().parse(manifest, format="turtle")
    (root,) = graph.subjects(RDF.type, MF.Manifest)
    return [
        (_local(e), str(graph.value(e, MF.name)))
        for e in Collection(graph, graph.value(root, MF.entries))
    ]


def _local(node: URIRef) -> str:
    return str(node).rsplit("#", 1)[-1]


def _protocol_test(graph: Graph, entry: URIRef, folder: Path) -> ProtocolTest:
    action = graph.value(entry, MF.action)
    requests = [_request(graph, r) for r in Collection(graph, graph.value(action, HT.requests))]
    data = []
    for item in graph.objects(entry, UT.graphData):
        name = str(graph.value(item, RDFS.label))
        data.append((name, folder / str(graph.value(item, UT.graph)).rsplit("/", 1)[-1]))
    return ProtocolTest(_local(entry), str(graph.value(entry, MF.name)), requests, sorted(data))


def _request(graph: Graph, node) -> HttpRequest:
    headers = {}
    header_list = graph.value(node, HT.headers)
    if header_list is not None:
        for header in Collection(graph, header_list):
            headers[str(graph.value(header, HT.fieldName)).lower()] = str(
                graph.value(header, HT.fieldValue)
            )
    body = None
    body_node = graph.value(node, HT.body)
    if body_node is not None:
        encoding = str(graph.value(body_node, CNT.characterEncoding) or "UTF-8")
        body = str(graph.value(body_node, CNT.chars)).encode(encoding.lower())
    response = graph.value(node, HT.resp)
    classes = {int(str(s)[len(HTS)]) for s in graph.objects(response, MF.expectedStatus)}
    fmt = graph.value(response, MF.expectedFormat)
    boolean = graph.value(response, MF.expectedBoolean)
    expected = Expected(
        classes,
        str(fmt) if fmt is not None else None,
        boolean.toPython() if boolean is not None else None,
    )
    return HttpRequest(
        str(graph.value(node, HT.methodName)),
        str(graph.value(node, HT.absolutePath)),
        headers,
        body,
        expected,
    )


def check_response(expected: Expected, status: int, content_type: str, body: bytes) -> list[str]:
    """What is wrong with a response, as messages (empty: it is as documented)."""
    problems = []
    if status // 100 not in expected.status_classes:
        problems.append(
            f"status {status}, expected {sorted(expected.status_classes)}xx: {body[:300]!r}"
        )
        return problems
    media = content_type.split(";", maxsplit=1)[0].strip().lower()
    if expected.format == "boolean" or expected.boolean is not None:
        if media not in BOOLEAN_TYPES:
            problems.append(f"a boolean result needs SPARQL JSON or XML, got {media!r}")
        else:
            value = boolean_result(media, body)
            if expected.boolean is not None and value is not expected.boolean:
                problems.append(f"boolean {value}, expected {expected.boolean}")
    elif expected.format == "tabular":
        if media not in RESULT_TYPES:
            problems.append(f"tabular results need JSON, XML, CSV or TSV, got {media!r}")
    elif expected.format == "RDF":
        if media not in RDF_TYPES:
            problems.append(f"an RDF result needs an RDF media type, got {media!r}")
        else:
            from pyoxigraph import RdfFormat, parse

            fmt = RdfFormat.N_TRIPLES if media == "text/plain" else RdfFormat.from_media_type(media)
            list(parse(body, format=fmt))
    return problems


def boolean_result(media: str, body: bytes) -> bool | None:
    if media == "application/sparql-results+json":
        return json.loads(body).get("boolean")
    root = ElementTree.fromstring(body)
    element = root.find("{http://www.w3.org/2005/sparql-results#}boolean")
    return None if element is None else element.text.strip() == "true"


# A SHACL rendering of the domains and ranges in the SPARQL 1.1 Service Description vocabulary
# (https://www.w3.org/TR/sparql11-service-description/#vocab), for :conforms-to-schema.
SD_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix void: <http://rdfs.org/ns/void#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

<#Service> a sh:NodeShape ; sh:targetClass sd:Service ;
  sh:property [ sh:path sd:endpoint ; sh:minCount 1 ; sh:nodeKind sh:IRI ] ;
  sh:property [ sh:path sd:supportedLanguage ; sh:minCount 1 ;
                sh:in ( sd:SPARQL10Query sd:SPARQL11Query sd:SPARQL11Update ) ] ;
  sh:property [ sh:path sd:feature ; sh:nodeKind sh:IRI ] ;
  sh:property [ sh:path sd:resultFormat ; sh:nodeKind sh:IRI ] ;
  sh:property [ sh:path sd:inputFormat ; sh:nodeKind sh:IRI ] ;
  sh:property [ sh:path sd:defaultDataset ; sh:class sd:Dataset ; sh:maxCount 1 ] ;
  sh:property [ sh:path sd:availableGraphs ; sh:class sd:GraphCollection ] ;
  sh:property [ sh:path sd:defaultEntailmentRegime ; sh:nodeKind sh:IRI ] .
<#Dataset> a sh:NodeShape ; sh:targetClass sd:Dataset ;
  sh:property [ sh:path sd:defaultGraph ; sh:class sd:Graph ; sh:maxCount 1 ] ;
  sh:property [ sh:path sd:namedGraph ; sh:class sd:NamedGraph ] .
<#NamedGraph> a sh:NodeShape ; sh:targetClass sd:NamedGraph ;
  sh:property [ sh:path sd:name ; sh:minCount 1 ; sh:maxCount 1 ; sh:nodeKind sh:IRI ] ;
  sh:property [ sh:path sd:graph ; sh:class sd:Graph ; sh:maxCount 1 ] .
<#Graph> a sh:NodeShape ; sh:targetClass sd:Graph ;
  sh:property [ sh:path void:triples ; sh:maxCount 1 ; sh:datatype xsd:integer ] .
<#Subjects> a sh:NodeShape ;
  sh:targetSubjectsOf sd:endpoint, sd:supportedLanguage, sd:defaultDataset ;
  sh:class sd:Service .
"""
