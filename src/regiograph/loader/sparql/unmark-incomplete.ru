# Remove the note that a bulk load into ?graph is under way (see mark-incomplete.ru).
PREFIX hv: <https://w3id.org/regiograph/harvest#>

DELETE { GRAPH ?meta { ?graph hv:incompleteLoad ?run } }
WHERE { GRAPH ?meta { ?graph hv:incompleteLoad ?run } }
