"""The embedded store's owner process: the only process that opens ``{data_dir}/store``.

:mod:`.writes` holds the one read-write handle and makes a snapshot after every committed write
(or undoes the write); :mod:`.serve` answers the platform's store client on loopback, queries
from killable workers over snapshots, writes only with the platform's token; ``__main__`` is
what the supervisor (:mod:`regiograph.store.supervisor`) runs.

This package may not be imported by the platform (it is a separate process, reached over HTTP
through :mod:`regiograph.store`), nor open the store directory anywhere but in :mod:`.writes`.
"""
