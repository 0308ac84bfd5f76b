# The catalogue record of a source's graph, replaced after each publication.
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX prov: <http://www.w3.org/ns/prov#>

DELETE { GRAPH ?meta { ?record ?p ?o } }
INSERT { GRAPH ?meta {
  ?record a dcat:CatalogRecord ;
    foaf:primaryTopic ?graph ;
    dct:title ?title ;
    dct:source ?location ;
    dct:license ?licence ;
    dct:modified ?ended ;
    prov:wasGeneratedBy ?run .
} }
WHERE { OPTIONAL { GRAPH ?meta { ?record ?p ?o } } }
