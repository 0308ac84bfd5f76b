"""Printing query results and writing dumps, for the command line."""

from __future__ import annotations

import csv
import io
import json

from pyoxigraph import Quad, RdfFormat, parse

from regiograph.mediatypes import NTRIPLES, SPARQL_JSON, TRIG, accept_header, write

ACCEPT = accept_header(SPARQL_JSON, (NTRIPLES, 0.9))


def render(body: bytes, fmt: str) -> str:
    """SPARQL JSON results as a table, CSV, TSV or JSON; graph results as N-Triples."""
    try:
        results = json.loads(body)
    except ValueError:
        return body.decode("utf-8")  # CONSTRUCT/DESCRIBE: N-Triples as they came
    if fmt == "json":
        return json.dumps(results, indent=2, ensure_ascii=False) + "\n"
    if "boolean" in results:
        return ("true" if results["boolean"] else "false") + "\n"
    names = results["head"]["vars"]
    rows = [[_cell(binding.get(n)) for n in names] for binding in results["results"]["bindings"]]
    if fmt in {"csv", "tsv"}:
        out = io.StringIO()
        writer = csv.writer(out, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerows([names, *rows])
        return out.getvalue()
    return _table(names, rows)


def _cell(term: dict | None) -> str:
    if term is None:
        return ""
    return term["value"]


def _table(names: list[str], rows: list[list[str]]) -> str:
    widths = [max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]
    line = " | ".join(n.ljust(w) for n, w in zip(names, widths, strict=True))
    out = [line, "-+-".join("-" * w for w in widths)]
    out += [" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out) + "\n"


def quads_as(nquads: bytes, filename: str) -> bytes:
    """N-Quads re-serialised for the file's extension (.nq or .trig)."""
    if filename.endswith(".nq"):
        return nquads
    if filename.endswith(".trig"):
        quads: list[Quad] = list(parse(nquads, format=RdfFormat.N_QUADS))
        return write(quads, TRIG)
    raise ValueError(f"unknown dump format for {filename!r}: use .nq, .trig (optionally .gz)")
