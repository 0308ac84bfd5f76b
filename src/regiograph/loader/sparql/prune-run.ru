# Remove one old run (?run bound), its report, the report's results and its verdicts on
# datasets from the metadata graph. Four branches instead of nested OPTIONALs, which would multiply the run's, the
# report's and every result's statements with each other.
PREFIX hv: <https://w3id.org/regiograph/harvest#>
PREFIX sh: <http://www.w3.org/ns/shacl#>

DELETE { GRAPH ?meta { ?s ?p ?o } }
WHERE {
  GRAPH ?meta {
    { ?run ?p ?o BIND(?run AS ?s) }
    UNION { ?run hv:report ?s . ?s ?p ?o }
    UNION { ?run hv:report/sh:result ?s . ?s ?p ?o }
    UNION { ?run hv:verdict ?s . ?s ?p ?o }
  }
}
