"""The public SPARQL endpoint's machinery, apart from HTTP (``server/routes/sparql.py``).

- :mod:`.grammar`: the SPARQL grammar as the engine (Oxigraph 0.5) accepts it, generated into
  an LALR parser; :mod:`.parsed`: what a text is, read with it (query or update, form, FROM /
  FROM NAMED, SERVICE targets, prefixes). The only parser besides the engine's own.
- :mod:`.using`: an update's dataset from the protocol's ``using-*`` parameters, written into
  the text as USING clauses (for the embedded store's owner: ``Store.update`` takes none).
- :mod:`.services`: the SERVICE rule — the parsed targets checked against the allow-list and
  the address rules before a query reaches any engine.
- :mod:`.engine`: runs a query in the pool or on the store's endpoint (proxy); every query
  ends in a typed :class:`~.jobs.Reply`.
- :mod:`.jobs`: what the engine asks of a worker (``Job``) and how a query ends (``Reply``,
  ``Outcome``).
- :mod:`.pool`: killable worker processes that answer queries from read-only pyoxigraph handles
  on the embedded store's directory, so that the time limit really stops a query.
- :mod:`.worker`: what runs inside one of those processes.
- :mod:`.admission`: who may run a query now (per-client concurrency, time and error
  budgets), shared by all web processes through the data folder.
- :mod:`.describe`: the numbers behind the Service Description and VoID, asked of the store.

This package may not speak HTTP to clients: no status codes, no responses; what an
:class:`~.jobs.Outcome` means for HTTP is decided in ``server/routes/sparql.py`` alone.
"""
