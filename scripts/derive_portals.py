"""Derive the open-data portals of the demo region (demo/sources/portale/) from the German
portal registry in shared/data (govdata-monitor, opendataportals.de.csv).

    python scripts/derive_portals.py [SHARED_DATA] [--out demo/sources/portale]

Keeps the registry's rows whose Regionalschlüssel (``rs``) lies in the Metropolregion's 15
districts or is one of its Länder (06, 07, 08), and the region's own portal (named
"Metropolregion Rhein-Neckar", which the registry lists without a key). Cells are copied as
the registry writes them; the mapping joins each portal's publisher to the municipality,
association, district or Land with that key.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REGISTRY = "govdata-monitor-portals/opendataportals.de.csv"
MRN_DISTRICTS = {
    *("08221", "08222", "08225", "08226", "06431", "07311", "07313", "07314"),
    *("07316", "07318", "07319", "07332", "07334", "07337", "07338"),
}
STATES = {"06", "07", "08"}
COLUMNS = ["title", "type", "rs", "url", "api", "wikidata", "dcat_ap_de", "last_check"]
README = """# Open-data portals of the region (German portal registry)

DERIVED by `scripts/derive_portals.py`; do not edit by hand.

- **Origin:** opendata-guru/govdata-monitor, `data/opendataportals.de.csv` (the crowd-maintained
  list of German open-data portals and publishers with their Regionalschlüssel), as copied to
  shared/data `{registry}`.
- **Licence:** MIT (the repository's LICENSE, copied beside the file in shared/data).
- **Attribution (Quellenvermerk):** govdata-monitor (opendata-guru), MIT licence.
- **Changes:** rows whose `rs` lies in the 15 districts of the Metropolregion Rhein-Neckar or is
  one of the Länder 06, 07, 08, and the row "Metropolregion Rhein-Neckar" of type regionalPortal;
  the columns {columns}; values unchanged. {count} rows.
"""


def rows(path: Path) -> list[dict]:
    kept = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            key = row["rs"]
            regional = (
                row["title"] == "Metropolregion Rhein-Neckar" and row["type"] == "regionalPortal"
            )
            if key[:5] in MRN_DISTRICTS or key in STATES or regional:
                kept.append({c: row[c] for c in COLUMNS})
    return kept


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("shared", nargs="?", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--out", default=str(ROOT / "demo" / "sources" / "portale"))
    args = parser.parse_args(argv)
    kept = rows(Path(args.shared) / REGISTRY)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with (out / "portale.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(kept)
    text = README.format(registry=REGISTRY, columns=", ".join(COLUMNS), count=len(kept))
    (out / "README.md").write_text(text, encoding="utf-8")
    print(f"{len(kept)} portals and publishers", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
