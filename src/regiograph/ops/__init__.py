"""Running the platform for years: backups, restore, the versioned data directory,
scheduled harvests, metrics and structured logs.

This package owns the data directory's own files (version file, metrics, backups) and
drives the loader and the store through their public functions; it never sends SPARQL of
its own to the store except through :class:`regiograph.store.Store`.

May not: hold harvest logic of its own (scheduled harvests call
:func:`regiograph.loader.pipeline.harvest`, which takes the one lock per source).
"""
