# A source's quality measurements (loader/quality.py) from its runs other than ?run, before
# ?run's are added: the metadata graph keeps the newest published run's scores only.
PREFIX dqv: <http://www.w3.org/ns/dqv#>
PREFIX hv: <https://w3id.org/regiograph/harvest#>
PREFIX prov: <http://www.w3.org/ns/prov#>

DELETE { GRAPH ?meta { ?measurement ?p ?o } }
WHERE {
  GRAPH ?meta {
    ?old hv:sourceId ?sourceId .
    ?measurement prov:wasGeneratedBy ?old ; a dqv:QualityMeasurement ; ?p ?o .
  }
  # out here: ?run is bound (VALUES) outside the GRAPH group, where it was unbound and the
  # filter never true, so no earlier run's measurements were ever dropped
  FILTER(?old != ?run)
}
