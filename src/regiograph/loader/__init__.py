"""The loader: harvest → map → validate → publish, one source at a time.

Boundaries: only :mod:`.fetch` fetches from the network and it never hands a URL to a parser;
parsing (:mod:`.fetch.parse`) and mapping (:mod:`.map`) do no I/O of their own;
only :mod:`.shacl.adapter` imports pyshacl; only :mod:`.publish` and :mod:`.provenance` write to the
triple store, and they do it through :class:`regiograph.store.Store`. A candidate graph lives
in an in-memory pyoxigraph store until the policy accepts it; the published graph of a
source is replaced in one step or not at all. :func:`.pipeline.harvest` is the entry point.

May not: talk to the store except through :mod:`regiograph.store`, nor import
:mod:`regiograph.server`.
"""
