"""One module (or package) per web surface: parse the request, make one domain call, render.

May not: hold SPARQL, ontology knowledge or business rules of its own; import another
surface's module (what two surfaces share lives in :mod:`regiograph.server.kit`).
"""
