# Datasets without a publisher get the source's default publisher (?publisher is bound).
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dct: <http://purl.org/dc/terms/>

INSERT { ?dataset dct:publisher ?publisher }
WHERE {
  ?dataset a dcat:Dataset
  FILTER NOT EXISTS { ?dataset dct:publisher ?any }
}
