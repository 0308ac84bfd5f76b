"""Resource pages without HTTP: what a page about one resource shows, and how.

``ontology`` is the one place that knows the vocabulary (labels, comments, order, domains);
``describe`` asks the store about one resource with the ``.rq`` files beside it; ``views``
adds what a municipality, project, programme, district or dataset page shows on top;
``labels`` picks a literal in the reader's language; ``values`` formats literals and
decides which IRIs may become links; ``search`` is the full-text index of resources.

May not: import Flask, write to the store, or send SPARQL that is not in a ``.rq`` file beside it.
"""
