# Distributions without a licence get the source's default licence (?licence is bound).
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dct: <http://purl.org/dc/terms/>

INSERT { ?distribution dct:license ?licence }
WHERE {
  ?distribution a dcat:Distribution
  FILTER NOT EXISTS { ?distribution dct:license ?any }
}
