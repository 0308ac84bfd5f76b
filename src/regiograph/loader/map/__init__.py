"""Mapping a candidate graph to the ontology: SPARQL CONSTRUCT/UPDATE files
(:mod:`.construct`) and CSV tables by CSVW metadata (:mod:`.csvw`).

May not: do I/O of its own (it gets bytes or a candidate graph and returns one).
"""
