# Hydra paging nodes describe one page of a response, not the catalogue: leave them out.
PREFIX hydra: <http://www.w3.org/ns/hydra/core#>

DELETE { ?page ?p ?o }
WHERE {
  ?page a ?type
  FILTER(?type IN (hydra:PagedCollection, hydra:PartialCollectionView, hydra:Collection))
  ?page ?p ?o
} ;

DELETE { ?s ?p ?o }
WHERE { ?s ?p ?o FILTER(STRSTARTS(STR(?p), STR(hydra:))) }
