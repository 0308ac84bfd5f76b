"""Derive the Modellprojekte Smart Cities source files (demo/sources/modellprojekte/) from the
transcribed list in shared/data and the Destatis Gemeindeverzeichnis.

    python scripts/derive_mpsc.py [SHARED_DATA] [--out demo/sources/modellprojekte]

Each of the 73 projects' lead as published ("Solingen", "Gießen, Landkreis", "Kooperation
Arnsberg, Olpe, …") is resolved to its official key by name in the Gemeindeverzeichnis
(GV-ISys, 31.12.2019): a municipality (AGS, record type 60) or a district (Kreis key, record
type 40, text code 43/44/45). Names are compared after removing what the list adds to the
official name (", Stadt", "Gemeinde ", "Landkreis " …); a name must match exactly one row.
Nothing is guessed: the few published spellings that differ from the official name are in
``ALIASES`` one by one; where one name belongs to several municipalities (Münster, Oberhausen),
the project's published size category decides if exactly one of them has a population (2019)
in that category's range (BBSR: Großstadt ≥ 100,000, Mittelstadt 20,000-99,999, Kleinstadt and
Landgemeinde < 20,000). A lead that still matches no row, or more than one, stays unresolved —
the mapping then gives the project no lead, and the harvest report names it.

Writes ``modellprojekte.csv`` (one row per project), ``gebiete.csv`` (the territorial bodies
outside the Metropolregion that the projects point at, with their district and Land) and
``README.md`` (origin, licence, attribution, the match report).
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MPSC = "derived-mpsc/modellprojekte_smart_cities_staffel1-3.csv"
GV = "destatis-gemeindeverzeichnis/AuszugGV4QAktuell.csv"
MRN_DISTRICTS = {
    *("08221", "08222", "08225", "08226", "06431", "07311", "07313", "07314"),
    *("07316", "07318", "07319", "07332", "07334", "07337", "07338"),
}
MRN_STATES = {"06", "07", "08"}
# Published spelling -> official name in the Gemeindeverzeichnis, checked by hand one by one.
ALIASES = {
    "Cottbus": "Cottbus/Chóśebuz",
    "Menden": "Menden (Sauerland)",
    "Freiburg i. Br.": "Freiburg im Breisgau",
    "Kirchheim b. München": "Kirchheim b.München",
    "Wunsiedel": "Wunsiedel i.Fichtelgebirge",
}
# Leads that are organisations of the demo region rather than territorial bodies.
ORGANISATIONS = {"Rhein-Neckar, Verband Region": "verband-region-rhein-neckar"}
# Project IRIs the demo published before this list existed; kept so that links stay valid.
STABLE_SLUGS = {
    "Mannheim": "smart-city-mannheim",
    "Rhein-Neckar, Verband Region": "smarte-region-rhein-neckar",
}
CATEGORIES = {
    "Großstädte": "large-cities",
    "Mittlere Städte / Mittelstädte": "medium-sized-towns",
    "Kleinstädte und Landgemeinden": "small-towns-rural-municipalities",
    "Interkommunale Kooperationen und Landkreise": "intermunicipal-cooperations-districts",
}
NAME_SUFFIXES = re.compile(
    r",\s*(Stadt|Landeshauptstadt|kreisfreie Stadt|Universitätsstadt|Gemeinde|Landkreis|Kreis)$"
)
DISTRICT_WORDS = re.compile(r"^(Landkreis|Kreis)\s+|,\s*(Landkreis|Kreis)$")
DISTRICT_CODES = {"41": "kreisfreie-stadt", "42": "stadtkreis", "43": "kreis", "44": "landkreis"}
DISTRICT_CODES["45"] = "regionalverband"


def read_gv(path: Path) -> dict:
    """The 2019 register: municipalities and districts by name, states and districts by key."""
    index = {"municipality": defaultdict(list), "district": defaultdict(list), "rows": {}}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            base = row["gemeindename"].split(",")[0].strip()
            if row["satzart"] == "60":
                ags = row["land"] + row["rb"] + row["kreis"] + row["gemeinde"]
                index["municipality"][base].append(ags)
                index["rows"][ags] = row
            elif row["satzart"] == "40":
                key = row["land"] + row["rb"] + row["kreis"]
                index["rows"][key] = row
                if row["textkennzeichen"] in ("43", "44", "45"):
                    index["district"][base].append(key)
            elif row["satzart"] == "10":
                index["rows"][row["land"]] = row
    return index


def _plain(name: str) -> str:
    """The published name without what the list adds to it ("Gemeinde ", ", Stadt", "(mit …)")."""
    name = re.sub(r"^Gemeinde\s+", "", name.strip())
    name = re.sub(r"\s*\(mit [^)]*\)$", "", name)
    return NAME_SUFFIXES.sub("", name).strip()


def _official(name: str) -> str:
    plain = _plain(name)
    return ALIASES.get(plain, plain)


SIZE_RANGES = {  # BBSR city size classes, inhabitants [min, max)
    "Großstädte": (100_000, 10**9),
    "Mittlere Städte / Mittelstädte": (20_000, 100_000),
    "Kleinstädte und Landgemeinden": (0, 20_000),
}
PARTNER_REGION = re.compile(r"\(mit ([^)]*)\)")


def resolve(published: str, category: str, gv: dict) -> dict:
    """The lead (and further participants) of one project, or why it stays unresolved."""
    if published in ORGANISATIONS:
        return {"lead_organisation": ORGANISATIONS[published], "match": "organisation"}
    if DISTRICT_WORDS.search(published) or published.startswith("Eifelkreis"):
        name = DISTRICT_WORDS.sub("", published).strip()
        return _one("district", ALIASES.get(name, name), gv, published)
    if published.startswith("Kooperation ") or re.search(r" und | in Kooperation mit ", published):
        return _cooperation(published, _members(published), gv)
    found = _one("municipality", _official(published), gv, published, SIZE_RANGES.get(category))
    partner = PARTNER_REGION.search(published)
    if partner and found["match"] != "unresolved":  # "Ringelai, Gemeinde (mit Ilzer Land)"
        found["unresolved"] = f"partner {partner.group(1)!r}: not a municipality or district"
    return found


def _members(published: str) -> list[str]:
    text = re.sub(r"^Kooperation\s+", "", published)
    text = text.replace(" in Kooperation mit ", ", ")
    return [part for part in re.split(r",\s*|\s+und\s+", text) if part]


def _one(level: str, name: str, gv: dict, published: str, size: tuple | None = None) -> dict:
    keys = gv[level].get(name, [])
    how = "alias" if name in ALIASES.values() else "name"
    if len(keys) > 1 and size:
        keys = [k for k in keys if size[0] <= _population(gv["rows"][k]) < size[1]] or keys
        how = "name and size category"
    if len(keys) == 1:
        return {f"lead_{level}": keys[0], "match": how}
    why = "no row" if not keys else f"{len(keys)} rows ({' '.join(keys)})"
    return {"match": "unresolved", "unresolved": f"{published}: {why} named {name!r}"}


def _population(row: dict) -> int:
    return int(row["bevoelkerung"].replace(" ", "") or 0)


def _cooperation(published: str, members: list[str], gv: dict) -> dict:
    found = [_one("municipality", _official(m), gv, m) for m in members]
    missing = [f["unresolved"] for f in found if f["match"] == "unresolved"]
    if missing:
        return {"match": "unresolved", "unresolved": "; ".join(missing)}
    keys = [f["lead_municipality"] for f in found]
    if " in Kooperation mit " in published:  # "Hamburg in Kooperation mit Leipzig und München"
        return {"lead_municipality": keys[0], "partners": " ".join(keys[1:]), "match": "name"}
    return {
        "lead_organisation": "mpsc-" + slug(published),
        "partners": " ".join(keys),
        "match": "members",
    }


def slug(text: str) -> str:
    text = text.replace("ß", "ss")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def project_rows(mpsc: Path, gv: dict) -> list[dict]:
    rows = []
    with mpsc.open(encoding="utf-8", newline="") as handle:
        for source in csv.DictReader(handle):
            published = source["name_as_published"]
            motto = source["motto"]
            row = {
                "project": STABLE_SLUGS.get(published) or "mpsc-" + slug(_plain(published)),
                "staffel": source["staffel"],
                "year": source["year_selected"],
                # Staffel 1 has no motto in the source, only "(Staffel 1, 2019)".
                "motto": "" if motto.startswith("(Staffel") else motto,
                "category": CATEGORIES[source["category"]],
                "name_as_published": published,
                "lead_municipality": "",
                "lead_district": "",
                "lead_organisation": "",
                "partners": "",
                "match": "",
                "unresolved": "",
                "source_urls": " ".join(u.strip() for u in source["source_urls"].split(";")),
            }
            row.update(resolve(published, source["category"], gv))
            rows.append(row)
    return rows


def territory_rows(projects: list[dict], gv: dict) -> list[dict]:
    """Municipalities, districts and states outside the Metropolregion the projects point at
    (the region's own come from the Gemeindeverzeichnis source)."""
    wanted = set()
    for row in projects:
        for ags in [row["lead_municipality"], *row["partners"].split()]:
            if ags:
                wanted |= {("municipality", ags), ("district", ags[:5]), ("state", ags[:2])}
        if row["lead_district"]:
            wanted |= {("district", row["lead_district"]), ("state", row["lead_district"][:2])}
    out = []
    for level, key in sorted(wanted, key=lambda w: (w[1], w[0])):
        if key[:5] in MRN_DISTRICTS or (level == "state" and key in MRN_STATES):
            continue
        gv_row = gv["rows"][key]
        out.append(
            {
                "level": level,
                "key": key,
                "ars": _ars(level, key, gv_row),
                "name": gv_row["gemeindename"],
                "district_type": DISTRICT_CODES.get(gv_row["textkennzeichen"], "")
                if level == "district"
                else "",
                "district": key[:5] if level == "municipality" else "",
                "state": key[:2] if level != "state" else "",
                # as Destatis writes them (" 90 164", "9,43"): the mapping reads German numbers
                "population": gv_row["bevoelkerung"].strip() if level == "municipality" else "",
                "area_km2": gv_row["flaeche"].strip() if level == "municipality" else "",
            }
        )
    return out


def _ars(level: str, key: str, row: dict) -> str:
    if level != "municipality":
        return key
    return row["land"] + row["rb"] + row["kreis"] + row["vb"] + row["gemeinde"]


def write_csv(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


README = """# Modellprojekte Smart Cities (Staffel 1-3)

DERIVED by `scripts/derive_mpsc.py`; do not edit by hand.

- **Origin:** the 73 Modellprojekte Smart Cities of the federal programme (BMWSB, formerly BMI),
  selected in three calls 2019, 2020 and 2021, as transcribed from public pages into
  shared/data `{mpsc}` (the pages are named per row in `source_urls`: smart-city-dialog.de,
  staedtetag.de, BMI/KTS brochures, behoerden-spiegel.de, profitcard.berlin). Keys and official
  names: Destatis Gemeindeverzeichnis GV-ISys, Stand 31.12.2019 (shared/data `{gv}`).
- **Licence:** the list states facts (no licence given by the pages); keys and names from the
  Gemeindeverzeichnis under Datenlizenz Deutschland - Namensnennung - Version 2.0 (dl-de/by-2-0).
- **Attribution (Quellenvermerk):** Modellprojekte Smart Cities: smart-city-dialog.de (KTS im
  Auftrag des BMWSB); © Statistisches Bundesamt (Destatis), Gemeindeverzeichnis 31.12.2019,
  dl-de/by-2-0
- **Changes:** the lead as published resolved to its AGS (municipality) or Kreis key (district) by
  exact name after removing ", Stadt", "Gemeinde ", "Landkreis " and the like; aliases checked by
  hand: {aliases}. Cooperations of several municipalities become a cooperation with those
  members. Staffel 1's motto column holds no motto ("(Staffel 1, 2019)") and is left empty.
  `gebiete.csv`: the municipalities, districts and Länder outside the Metropolregion the projects
  point at, with their official names.

## Match report

{matched} of {total} leads resolved ({by_kind}); unresolved: {unresolved_count}.
{unresolved}

Partners named in the list that are not a municipality or district (not resolved):
{notes}
"""


def write_readme(out: Path, rows: list[dict]) -> None:
    kinds = defaultdict(int)
    for row in rows:
        kinds[row["match"]] += 1
    unresolved = [r for r in rows if r["match"] == "unresolved"]
    text = README.format(
        mpsc=MPSC,
        gv=GV,
        aliases=", ".join(f"{k!r} = {v!r}" for k, v in ALIASES.items()),
        matched=len(rows) - len(unresolved),
        total=len(rows),
        by_kind=", ".join(f"{k}: {v}" for k, v in sorted(kinds.items()) if k != "unresolved"),
        unresolved_count=len(unresolved),
        unresolved="\n".join(f"- {r['project']}: {r['unresolved']}" for r in unresolved)
        or "- none",
        notes="\n".join(
            f"- {r['project']}: {r['unresolved']}"
            for r in rows
            if r["unresolved"] and r["match"] != "unresolved"
        )
        or "- none",
    )
    (out / "README.md").write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("shared", nargs="?", default=str(ROOT.parent / "shared" / "data"))
    parser.add_argument("--out", default=str(ROOT / "demo" / "sources" / "modellprojekte"))
    args = parser.parse_args(argv)
    shared, out = Path(args.shared), Path(args.out)
    gv = read_gv(shared / GV)
    projects = project_rows(shared / MPSC, gv)
    out.mkdir(parents=True, exist_ok=True)
    write_csv(out / "modellprojekte.csv", projects)
    write_csv(out / "gebiete.csv", territory_rows(projects, gv))
    write_readme(out, projects)
    unresolved = [r for r in projects if r["match"] == "unresolved"]
    print(f"{len(projects) - len(unresolved)} of {len(projects)} leads resolved", file=sys.stderr)
    for row in unresolved:
        print(f"  unresolved: {row['unresolved']}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
