"""SHACL validation: one engine for harvests, ``regiograph validate`` and the shape tests.

- :mod:`.engine`: compile constraints to SPARQL and run them; pyshacl for the rest.
- :mod:`.sparql`, :mod:`.expr`: constraints as SPARQL queries and boolean expressions.
- :mod:`.adapter`: the only module that imports pyshacl.
- :mod:`.report`: the one report type, readable in German and English.
- :mod:`.files`: RDF files with the bundled shapes and ontology, for ``regiograph validate``.

May not: fetch, write to the store, or know a source's policy (the pipeline decides).
"""
