# Old DCAT-AP.de namespaces and licence IRIs → the current ones (SPARQL Update, in memory).
# Namespaces: 1.0 ("1_0", "1.0"), 1.0.1 and the 1.1 https variant all become
# http://dcat-ap.de/def/dcatde/ ; predicates first, then IRIs in object position (classes).
# Licence IRIs: the renames of the dcat-ap.de licence list (underscored versions, renamed codes).
PREFIX dct: <http://purl.org/dc/terms/>

DELETE { ?s ?p ?o } INSERT { ?s ?new ?o }
WHERE {
  ?s ?p ?o
  FILTER(REGEX(STR(?p), "^(http://dcat-ap\\.de/def/dcatde/(1_0|1\\.0|1\\.0\\.1)/|https?://www\\.dcat-ap\\.de/def/dcatde/1\\.1/)"))
  BIND(IRI(REPLACE(STR(?p), "^(http://dcat-ap\\.de/def/dcatde/(1_0|1\\.0|1\\.0\\.1)/|https?://www\\.dcat-ap\\.de/def/dcatde/1\\.1/)", "http://dcat-ap.de/def/dcatde/")) AS ?new)
} ;

DELETE { ?s ?p ?o } INSERT { ?s ?p ?new }
WHERE {
  ?s ?p ?o
  FILTER(isIRI(?o) && REGEX(STR(?o), "^(http://dcat-ap\\.de/def/dcatde/(1_0|1\\.0|1\\.0\\.1)/|https?://www\\.dcat-ap\\.de/def/dcatde/1\\.1/)"))
  BIND(IRI(REPLACE(STR(?o), "^(http://dcat-ap\\.de/def/dcatde/(1_0|1\\.0|1\\.0\\.1)/|https?://www\\.dcat-ap\\.de/def/dcatde/1\\.1/)", "http://dcat-ap.de/def/dcatde/")) AS ?new)
} ;

DELETE { ?s dct:license ?old } INSERT { ?s dct:license ?new }
WHERE {
  VALUES (?old ?new) {
    (<http://dcat-ap.de/def/licenses/cc-by-de/3_0> <http://dcat-ap.de/def/licenses/cc-by-de/3.0>)
    (<http://dcat-ap.de/def/licenses/cc-by/4_0> <http://dcat-ap.de/def/licenses/cc-by/4.0>)
    (<http://dcat-ap.de/def/licenses/cc-by-sa/4_0> <http://dcat-ap.de/def/licenses/cc-by-sa/4.0>)
    (<http://dcat-ap.de/def/licenses/cc-by-nd/3_0> <http://dcat-ap.de/def/licenses/cc-by-nd/3.0>)
    (<http://dcat-ap.de/def/licenses/cc-by-nd/4_0> <http://dcat-ap.de/def/licenses/cc-by-nd/4.0>)
    (<http://dcat-ap.de/def/licenses/cc-by-nc-de/4_0> <http://dcat-ap.de/def/licenses/cc-by-nc/4.0>)
    (<http://dcat-ap.de/def/licenses/cc-nc/3_0> <http://dcat-ap.de/def/licenses/cc-by-nc-de/3.0>)
    (<http://dcat-ap.de/def/licenses/cc-pdm/1_0> <http://dcat-ap.de/def/licenses/ccpdm/1.0>)
    (<http://dcat-ap.de/def/licenses/dl-zero-de/2_0> <http://dcat-ap.de/def/licenses/dl-zero-de/2.0>)
    (<http://dcat-ap.de/def/licenses/dl-by-de/1_0> <http://dcat-ap.de/def/licenses/dl-by-de/1.0>)
    (<http://dcat-ap.de/def/licenses/dl-by-de/2_0> <http://dcat-ap.de/def/licenses/dl-by-de/2.0>)
    (<http://dcat-ap.de/def/licenses/dl-by-nc-de/1_0> <http://dcat-ap.de/def/licenses/dl-by-nc-de/1.0>)
    (<http://dcat-ap.de/def/licenses/gpl/30> <http://dcat-ap.de/def/licenses/gpl/3.0>)
    (<http://dcat-ap.de/def/licenses/official-work> <http://dcat-ap.de/def/licenses/officialWork>)
    (<http://dcat-ap.de/def/licenses/od-bc> <http://dcat-ap.de/def/licenses/odby>)
    (<http://dcat-ap.de/def/licenses/od-bl> <http://dcat-ap.de/def/licenses/odbl>)
    (<http://dcat-ap.de/def/licenses/odc-pddl> <http://dcat-ap.de/def/licenses/odcpddl>)
  }
  ?s dct:license ?old
}
