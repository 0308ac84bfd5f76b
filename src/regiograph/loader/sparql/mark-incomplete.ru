# Note in the metadata graph (?meta) that a bulk load into ?graph by ?run has begun; it is
# removed when the load has finished. A note still there means the graph holds part of a load.
PREFIX hv: <https://w3id.org/regiograph/harvest#>

INSERT { GRAPH ?meta { ?graph hv:incompleteLoad ?run } }
WHERE {}
