"""Statistics: the RDF Data Cube observations, explored and aggregated from a columnar mirror.

- :mod:`.mirror`: the DuckDB mirror of all observations, rebuilt when the data version moves.
- :mod:`.cubes`: every ``qb:DataSet`` in the store with its structure (read live: small).
- :mod:`.explorer`: series for a selection of municipalities, tidy CSV rows.
- :mod:`.districts`: a district's means per indicator and year, for municipality pages.

Only :mod:`.mirror` builds the DuckDB file; it reads the store through ``Store`` like
everything else.

May not: import Flask or write to the store; build the mirror anywhere but :mod:`.mirror`.
"""

from regiograph.statistics.mirror import FILE_NAME, Mirror

__all__ = ["FILE_NAME", "Mirror"]
