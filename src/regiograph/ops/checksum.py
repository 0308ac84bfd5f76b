"""Fingerprints of a graph that survive a dump and reload.

A store renames blank nodes when it loads them and returns triples in any order, so the
fingerprint is taken over the sorted N-Triples lines with every blank node label blinded.
That is linear in the graph size (exact canonicalisation is exponential in the worst case)
and still changes when a triple is missing, added or altered.
"""

from __future__ import annotations

import hashlib
import re

# A blank node label where a term starts: at the line start or after a space.
_BLANK = re.compile(rb"(^|(?<= ))_:[^ ]+")
# The store client rewrites the data and content versions on every write, also while
# restoring, so those triples of the metadata graph are left out of counts and fingerprints.
_VOLATILE = re.compile(rb" <https://w3id\.org/regiograph/ontology#(data|content)Version> ")


def graph_fingerprint(ntriples: bytes) -> tuple[int, str]:
    """(triple count, sha256 hex) of an N-Triples document."""
    lines = [_BLANK.sub(rb"\1_:", line.strip()) for line in ntriples.splitlines()]
    lines = sorted(
        line for line in lines if line and not line.startswith(b"#") and not _VOLATILE.search(line)
    )
    digest = hashlib.sha256()
    for line in lines:
        digest.update(line + b"\n")
    return len(lines), digest.hexdigest()


def file_sha256(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
