"""What the metadata graph holds of a source's per-dataset quality measurements, remembered in
the data directory, so that a re-harvest need not read them all back to write its difference.

A re-harvest of a catalogue of 50,000 datasets compares 250,000 measurements with what is
stored; reading them from the store took 7.4 of the re-harvest's 24 s in
``bench/harvest_dcat.py --triples 1000000`` (the first read after a publication waits for the
owner's snapshot, then 65 MB of results). The store stays the truth: the memo is used only when
its digest equals the one stored beside the measurements (``hv:measurementsDigest``, written in
the same update as them), and a store restored, written by another data directory or changed by
hand gets a different (or no) digest, so the measurements are read from the store as before.

File: ``{data_dir}/quality/{source}.json`` — ``{"digest": …, "values": {IRI: [dataset, value]}}``,
replaced whole by ``os.replace`` (a reader sees the old or the new file).

May not: decide what is written (:mod:`.quality` does) or trust itself without the stored digest.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

Values = dict[str, tuple[str, str]]  # measurement IRI -> (dataset IRI, value)


def path(data_path: Path, source_id: str) -> Path:
    return Path(data_path) / "quality" / f"{source_id}.json"


def digest(values: Values) -> str:
    """The same for the same measurements in any order."""
    lines = sorted(f"{iri}\t{dataset}\t{value}\n" for iri, (dataset, value) in values.items())
    return hashlib.sha256("".join(lines).encode("utf-8")).hexdigest()


def read(file: Path | None, stored_digest: str | None) -> Values | None:
    """The remembered measurements if they are what the store holds (``stored_digest``)."""
    if file is None or stored_digest is None:
        return None
    try:
        memo = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:  # a damaged memo costs a read of the store, no more
        log.warning("quality memo %s unreadable (%s); reading the store instead", file, exc)
        return None
    if not isinstance(memo, dict) or memo.get("digest") != stored_digest:
        return None
    return {iri: (pair[0], pair[1]) for iri, pair in memo.get("values", {}).items()}


def write(file: Path | None, values: Values, value_digest: str) -> None:
    """Remember what was just written; a failure only costs the next run a read of the store."""
    if file is None:
        return
    temporary = file.with_suffix(".tmp")
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(
            json.dumps({"digest": value_digest, "values": values}, separators=(",", ":")),
            encoding="utf-8",
        )
        os.replace(temporary, file)
    except OSError as exc:
        log.warning("could not remember the quality measurements in %s: %s", file, exc)
