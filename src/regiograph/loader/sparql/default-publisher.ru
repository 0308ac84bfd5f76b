# Datasets without a named publisher get the source's default publisher (?publisher and ?name
# are bound): an agent with that name unless the data names it already. A publisher link
# without a name is replaced, as the catalogue cannot publish an agent it cannot name.
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>

DELETE { ?dataset dct:publisher ?unnamed }
INSERT { ?dataset dct:publisher ?publisher . ?publisher a foaf:Agent ; foaf:name ?label }
WHERE {
  ?dataset a dcat:Dataset
  FILTER NOT EXISTS {
    ?dataset dct:publisher ?named . ?named foaf:name|skos:prefLabel|rdfs:label ?known
  }
  OPTIONAL { ?dataset dct:publisher ?unnamed }
  # an error (the unbound ?none) leaves ?label unbound, and its triple out, when named already
  BIND(IF(EXISTS { ?publisher foaf:name|skos:prefLabel|rdfs:label ?own }, ?none, ?name) AS ?label)
}
