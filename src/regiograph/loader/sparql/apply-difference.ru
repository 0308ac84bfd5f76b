# A published graph changed by its difference, in one update (one transaction).
# The three capitalised placeholders below are filled in one pass with the graph's IRI and
# the removed and added triples, all serialised by pyoxigraph (N-Triples).
DELETE DATA { GRAPH GRAPH_IRI {
REMOVED
} } ;
INSERT DATA { GRAPH GRAPH_IRI {
ADDED
} }
