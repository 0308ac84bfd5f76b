"""The loader's only network I/O (:mod:`.http`) and the one path from bytes to a candidate
graph (:mod:`.parse`).

May not: hand a URL to a parser (every byte is fetched here first), or write to the store.
"""
