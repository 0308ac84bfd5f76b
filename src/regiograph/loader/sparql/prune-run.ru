# Remove one old run, its report and the report's results from the metadata graph.
PREFIX hv: <https://w3id.org/regiograph/harvest#>
PREFIX sh: <http://www.w3.org/ns/shacl#>

DELETE { GRAPH ?meta { ?run ?p ?o . ?report ?rp ?ro . ?result ?xp ?xo } }
WHERE {
  GRAPH ?meta {
    ?run ?p ?o .
    OPTIONAL { ?run hv:report ?report . ?report ?rp ?ro .
               OPTIONAL { ?report sh:result ?result . ?result ?xp ?xo } }
  }
}
