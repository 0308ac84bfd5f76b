"""Harvested dcat:byteSize survives re-publication (issue 16): the catalogue publishes it as
DCAT-AP 3's xsd:nonNegativeInteger. Oxigraph keeps an xsd:nonNegativeInteger as xsd:integer,
so the page query's test for that datatype dropped every harvested size; GovData's example
writes xsd:decimal "15910.0", which was dropped too.

GovData's ckanext-dcatde example (../shared/data) is harvested over loopback as it is and with
its sizes written as xsd:nonNegativeInteger; validation is off (``validate = false``), so every
dataset is stored and the catalogue alone is under test."""

from __future__ import annotations

import re
import warnings

import pytest
from rdflib import Graph, URIRef

import httpfixtures
from httpfixtures import Reply, make_source
from regiograph.loader import pipeline
from regiograph.server import create_app

_server = pytest.fixture(name="http_server")(httpfixtures.serving)
_fresh = pytest.fixture(autouse=True, name="fresh_graphs")(httpfixtures.dropping_new_graphs)

GOVDATA = "ckanext-dcatde/examples/catalog-endpoint.rdf"
BYTE_SIZE = URIRef("http://www.w3.org/ns/dcat#byteSize")
XSD = "http://www.w3.org/2001/XMLSchema#"
DECIMAL = re.compile(rb'XMLSchema#decimal">(\d+)\.0<')


def as_non_negative_integers(body: bytes) -> bytes:
    return DECIMAL.sub(rb'XMLSchema#nonNegativeInteger">\1<', body)


@pytest.mark.shared
@pytest.mark.parametrize("written", ["decimal", "nonNegativeInteger"])
def test_harvested_sizes_are_republished(scratch_platform, http_server, shared_data, written):
    config, store = scratch_platform
    body = (shared_data / GOVDATA).read_bytes()
    if written == "nonNegativeInteger":
        body = as_non_negative_integers(body)
    given = Graph().parse(data=body, format="xml")
    sizes = {str(s): int(float(o)) for s, o in given.subject_objects(BYTE_SIZE)}
    assert len(sizes) >= 3 and {o.datatype for o in given.objects(None, BYTE_SIZE)} == {
        URIRef(XSD + written)
    }
    url = http_server.route("/govdata.rdf", Reply(body, content_type="application/rdf+xml"))
    source = make_source(kind="dcat", location=url, policy={"validate": False})
    assert pipeline.harvest(config, store, source).outcome == "published"

    app = create_app(config.with_overrides(catalog__page_size=10_000), store)  # one page
    response = app.test_client().get("/catalog.ttl")
    assert response.status_code == 200
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        catalogue = Graph().parse(data=response.data, format="turtle")
    shown = {str(s): o for s, o in catalogue.subject_objects(BYTE_SIZE) if str(s) in sizes}
    assert set(shown) == set(sizes), "every harvested size is re-published"
    for distribution, size in shown.items():
        assert str(size.datatype) == XSD + "nonNegativeInteger", distribution
        assert int(size) == sizes[distribution], distribution
