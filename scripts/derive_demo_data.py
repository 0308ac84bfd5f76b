"""Derive the demo region's source files (demo/sources/) from the real files in shared/data.

    python scripts/derive_demo_data.py [SHARED_DATA] [--out demo/sources]
    python scripts/derive_demo_data.py [SHARED_DATA] --national build/national [--land 10]

Reads the official files described in SHARED_DATA/SOURCES.md (default ``../shared/data``,
relative to the checkout) and writes small files for the Metropolregion Rhein-Neckar
(15 districts): rows are selected and columns picked, **cell values are copied as the source
writes them** (German number formats, missing-value marks and all), so the loader's mappings
parse them as they would parse the full file. Two exceptions, both stated in the files'
README: Excel number cells are written in the shortest form that gives the same binary value
(``64.680000000000007`` → ``64.68``, what Excel shows), and polygons are simplified
(Douglas-Peucker, coordinates rounded) to keep the pages light.

``--national DIR`` writes the same layouts for the whole of Germany to DIR (git-ignored
``build/national``: about 18 MB) for ``demo/national/sources.toml`` (docs/national.md): every
Land, Kreis, Verband and Gemeinde of each year, and the boundaries of all municipalities from
the national VG250 shapefile (EPSG:25832, reprojected to CRS84 by ``vg250.py``) and of all
Kreise from VG5000, simplified as the region's are. ``--land KEY`` (two digits) keeps one Land
only, through the same code (the tests derive Saarland). Breitbandatlas and BBSR types exist
in shared/data for Baden-Württemberg, Hessen and Rheinland-Pfalz only, so the national files
hold those three Länder.

Every source needs an entry in ``SOURCES`` (origin, licence, attribution): a file written
without one is refused.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import re
import sys
import tomllib
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import vg250  # beside this script

MRN_DISTRICTS = [
    *("08221", "08222", "08225", "08226", "06431", "07311", "07313", "07314"),
    *("07316", "07318", "07319", "07332", "07334", "07337", "07338"),
]
GV_YEARS = {
    2009: "31122009",
    2013: "31122013",
    2017: "31122017",
    2021: "31122021",
    2023: "31122023",
}
# The Destatis GV-ISys CSV layout (AuszugGV4QAktuell.csv); the Excel extracts have the same
# columns in the same order (2009 without the last four), so one mapping reads every year.
GV_COLUMNS = [
    *("satzart", "textkennzeichen", "land", "rb", "kreis", "vb", "gemeinde", "gemeindename"),
    *("flaeche", "bevoelkerung", "maennlich", "weiblich", "jekm2", "postleitzahl"),
    *("laengengrad", "breitengrad", "schluessel", "bezeichnung"),
    *("verstaedterungschluessel", "verstaedterungbezeichnung"),
]
# cells a builder left empty because the source's value is impossible, by source (README)
EMPTIED: dict[str, list[str]] = {}
SOURCES = tomllib.loads((Path(__file__).parent / "demo_sources.toml").read_text("utf-8"))


# --- reading ------------------------------------------------------------------------------

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def xlsx_rows(path: Path, sheet: int = 2):
    """The rows of one sheet of an .xlsx file as lists of cell texts (stdlib only)."""
    with zipfile.ZipFile(path) as book:
        strings = []
        if "xl/sharedStrings.xml" in book.namelist():
            shared = ET.fromstring(book.read("xl/sharedStrings.xml"))  # noqa: S314
            for item in shared.iter(_NS + "si"):
                strings.append("".join(t.text or "" for t in item.iter(_NS + "t")))
        root = ET.fromstring(book.read(f"xl/worksheets/sheet{sheet}.xml"))  # noqa: S314
    for row in root.iter(_NS + "row"):
        cells = {}
        for cell in row.iter(_NS + "c"):
            value, kind = cell.find(_NS + "v"), cell.get("t")
            if kind == "inlineStr":
                text = "".join(t.text or "" for t in cell.iter(_NS + "t"))
            elif value is None:
                continue
            elif kind == "s":
                text = strings[int(value.text)]
            else:
                text = _excel_number(value.text or "")
            cells[_column(cell.get("r"))] = text
        if cells:
            yield [cells.get(i, "") for i in range(max(cells) + 1)]


def _column(ref: str) -> int:
    number = 0
    for char in re.match(r"[A-Z]+", ref).group(0):
        number = number * 26 + ord(char) - 64
    return number - 1


def _excel_number(text: str) -> str:
    """An Excel number cell as Excel shows it: the shortest text of the same double."""
    try:
        value = float(text)
    except ValueError:
        return text
    return str(int(value)) if value.is_integer() else repr(value)


def read_csv(path: Path, delimiter: str = ",") -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=delimiter))
    return rows[0], rows[1:]


# --- writing ------------------------------------------------------------------------------


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path.stat().st_size


def write_readme(folder: Path, source: str, files: dict[str, int], extra: str = "") -> None:
    """README.md with origin, licence and attribution; a source without a licence is refused."""
    meta = SOURCES.get(source)
    if not meta or not meta.get("licence") or not meta.get("attribution"):
        raise SystemExit(f"{source}: no licence or attribution in SOURCES; not written")
    lines = [
        f"# {meta['title']}",
        "",
        "DERIVED by `scripts/derive_demo_data.py` from the official files; do not edit by hand.",
        "",
        f"- **Origin:** {meta['origin']}",
        f"- **Licence:** {meta['licence']}",
        f"- **Attribution (Quellenvermerk):** {meta['attribution']}",
        f"- **Changes:** {meta['changes']}",
        "",
        "| file | bytes |",
        "|---|---:|",
        *(f"| `{name}` | {size:,} |" for name, size in sorted(files.items())),
    ]
    if extra:
        lines += ["", extra]
    (folder / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


# --- the sources --------------------------------------------------------------------------


def gemeindeverzeichnis(data: Path, districts: set[str] | None) -> list[list[str]]:
    """Every year's register rows (Land, Kreis, Verband, Gemeinde) of the chosen districts."""
    rows = []
    for year, stem in sorted({**GV_YEARS, 2019: None}.items()):
        if stem is None:
            _header, body = read_csv(data / "destatis-gemeindeverzeichnis/AuszugGV4QAktuell.csv")
        else:
            path = data / f"statistics-population/destatis-gv-auszug/{stem}_Auszug_GV.xlsx"
            body = xlsx_rows(path)
        # Land, Kreis, Verband, Gemeinde: not the Regierungsbezirke (20) the 2019 CSV also has
        body = [r for r in body if r and r[0] in ("10", "40", "50", "60")]
        for raw in body:
            cells = (raw + [""] * len(GV_COLUMNS))[: len(GV_COLUMNS)]
            if not _in_area(cells, districts) or cells[1] == "66":
                continue
            if year == 2009:
                cells[14] = cells[15] = ""
            rows.append([f"{year}-12-31", *cells])
    return rows


def _in_area(cells: list[str], districts: set[str] | None) -> bool:
    land, kreis5 = cells[2], cells[2] + cells[3] + cells[4]
    if districts is None:
        return True
    if cells[0] == "10":
        return land in {d[:2] for d in districts}
    return kreis5 in districts


def zensus(data: Path, ags: set[str] | None) -> tuple[list[str], list[list[str]]]:
    header, body = read_csv(
        data / "statistics-zensus2022-inkar-gerda/zensus2022_gemeinden_gerda.csv"
    )
    keep = [
        "ags",
        "population_census22",
        "share_under18_census22",
        "share_foreign_census22",
        "avg_household_size_census22",
        "total_dwellings_census22",
        "vacancy_rate_census22",
        "share_owner_occupied_census22",
        "avg_rent_per_m2_census22",
    ]
    index = [header.index(k) for k in keep]
    rows = [[r[i] for i in index] for r in body if ags is None or r[0] in ags]
    return keep, rows


def breitband(data: Path, ags: set[str] | None) -> tuple[list[str], list[list[str]]]:
    folder = data / "statistics-broadband/derived-bw-he-rp"
    path = folder / "breitbandatlas_privathaushalte_bw_he_rp_2018-2021.csv"
    header, body = read_csv(path)
    keep = [
        "stand",
        "AGS",
        "alle Technologien ≥ 50 Mbit/s",
        "alle Technologien ≥ 100 Mbit/s",
        "alle Technologien ≥ 1000 Mbit/s",
    ]
    index = [header.index(k) for k in keep]
    rows = [[r[i] for i in index] for r in body if ags is None or r[2] in ags]
    return keep, rows


def pendler(data: Path, districts: set[str] | None) -> tuple[list[str], list[list[str]]]:
    header, body = read_csv(data / "commuters/ba_pendler_kreise_2016-06_totals.csv")
    keep = ["ID", "svb_anzahl", "einpendler_gesamt", "auspendler_gesamt"]
    index = [header.index(k) for k in keep]
    return keep, [[r[i] for i in index] for r in body if districts is None or r[0] in districts]


def inkar(data: Path, districts: set[str] | None) -> tuple[list[str], list[list[str]]]:
    header, body = read_csv(
        data / "statistics-zensus2022-inkar-gerda/inkar_kreise_1995-2022_gerda.csv"
    )
    keep = [
        "county_code",
        "year",
        "share_65plus",
        "median_age",
        "unemployment_rate",
        "cars_per_capita",
        "tax_revenue_per_capita",
    ]
    index = [header.index(k) for k in keep]
    rows = [[r[i] for i in index] for r in body if districts is None or r[0] in districts]
    # Shares, ages, rates and counts cannot be negative, and the mapping refuses the whole
    # file for one such cell: the source's impossible values are emptied and listed.
    for row in rows:
        for column, cell in enumerate(row[2:], 2):
            if cell.startswith("-"):
                row[column] = ""
                EMPTIED.setdefault("inkar", []).append(
                    f"- Kreis {row[0]}, {row[1]}, `{keep[column]}`: `{cell}` in the source "
                    "(impossible, below 0), left empty"
                )
    return keep, rows


def bbsr(data: Path, ags: set[str] | None) -> tuple[list[str], list[list[str]]]:
    path = data / "urbanisation/derived-bbsr-2019/bbsr_referenz_gemeinden_2019_bw_he_rp.csv"
    header, body = read_csv(path)
    keep = [
        "ags8",
        "RegioStaR7 Kennziffer",
        "RegioStaR7 Name",
        "RegioStaR17 Kennziffer",
        "RegioStaR17 Name",
        "Stadt- und Gemeindetyp Kennziffer",
        "Stadt- und Gemeindetyp Name",
    ]
    index = [header.index(k) for k in keep]
    return keep, [[r[i] for i in index] for r in body if ags is None or r[0] in ags]


# --- boundaries ---------------------------------------------------------------------------


def simplify_ring(points: list[list[float]], tolerance: float) -> list[list[float]]:
    """Douglas-Peucker on a closed ring; keeps at least four points (a valid ring)."""
    if len(points) <= 4:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    far = max(range(1, len(points) - 1), key=lambda i: _dist2(points[i], points[0]))
    keep[far] = True
    stack = [(0, far), (far, len(points) - 1)]
    while stack:
        start, end = stack.pop()
        best, best_i = 0.0, -1
        for i in range(start + 1, end):
            d = _segment_distance(points[i], points[start], points[end])
            if d > best:
                best, best_i = d, i
        if best_i >= 0 and best > tolerance:
            keep[best_i] = True
            stack += [(start, best_i), (best_i, end)]
    kept = [p for p, k in zip(points, keep, strict=True) if k]
    return kept if len(kept) >= 4 else points


def _dist2(a, b) -> float:
    return (a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2


def _segment_distance(p, a, b) -> float:
    dx, dy = b[0] - a[0], b[1] - a[1]
    if dx == dy == 0:
        return math.sqrt(_dist2(p, a))
    t = max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / (dx * dx + dy * dy)))
    return math.sqrt(_dist2(p, [a[0] + t * dx, a[1] + t * dy]))


def simplify_geometry(geometry: dict, tolerance: float) -> dict:
    def ring(r):
        return [[round(x, 5), round(y, 5)] for x, y in simplify_ring(r, tolerance)]

    if geometry["type"] == "Polygon":
        coords = [ring(r) for r in geometry["coordinates"]]
    else:
        coords = [[ring(r) for r in poly] for poly in geometry["coordinates"]]
    return {"type": geometry["type"], "coordinates": coords}


def boundaries(
    path: Path, key: str, names: dict[str, str], keep: set[str] | None, tolerance: float
):
    source = json.loads(path.read_text(encoding="utf-8"))
    features = []
    for feature in source["features"]:
        code = feature["properties"][key]
        if keep is not None and code not in keep:
            continue
        features.append(
            {
                "type": "Feature",
                "properties": {key: code, "name": names.get(code, "")},
                "geometry": simplify_geometry(feature["geometry"], tolerance),
            }
        )
    return {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
        "features": features,
    }


def write_json(path: Path, document: dict) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(document, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
    )
    return path.stat().st_size


# --- main ---------------------------------------------------------------------------------

TOLERANCE = 0.0004  # degrees, about 30-45 m in the region: invisible at district zoom


def derive(
    data: Path, out: Path, districts: set[str] | None, national: bool = False, land: str = ""
) -> dict[str, int]:
    """Write every source's file and README to ``out``: the region's (``districts``), or with
    ``national`` the national boundaries instead of the region's, of all Germany or of one
    ``land`` (its districts those of any year's register: Kreise merged since 2009 included)."""
    sizes: dict[str, int] = {}
    gv = gemeindeverzeichnis(data, districts)
    if land:
        gv = [r for r in gv if r[3] == land]
        districts = {r[3] + r[4] + r[5] for r in gv if r[1] == "40"}
        if not districts:
            raise SystemExit(f"--land {land}: no Kreis of that Land in the Gemeindeverzeichnis")
    ags = {r[3] + r[4] + r[5] + r[7] for r in gv if r[1] == "60"}
    names = {r[3] + r[4] + r[5] + r[7]: r[8] for r in gv if r[1] == "60" and r[0] == "2023-12-31"}
    folder = out / "gemeindeverzeichnis"
    files = {
        "gv-2009-2023.csv": write_csv(folder / "gv-2009-2023.csv", ["stichtag", *GV_COLUMNS], gv)
    }
    write_readme(folder, "gemeindeverzeichnis", files)
    sizes.update({f"gemeindeverzeichnis/{k}": v for k, v in files.items()})
    keep_ags = ags if districts is not None else None
    for name, builder, keys in (
        ("zensus2022", zensus, keep_ags),
        ("breitband", breitband, keep_ags),
        ("pendler", pendler, districts),
        ("inkar", inkar, districts),
        ("bbsr", bbsr, keep_ags),
    ):
        header, rows = builder(data, keys)
        file = f"{name}.csv"
        files = {file: write_csv(out / name / file, header, rows)}
        emptied = EMPTIED.get(name, [])
        extra = "Cells left empty:\n\n" + "\n".join(emptied) if emptied else ""
        write_readme(out / name, name, files, extra)
        sizes[f"{name}/{file}"] = files[file]
    if national:
        sizes.update(_national_files(data, out, districts, names, ags))
    elif districts is not None:
        sizes.update(_region_files(data, out, districts, names, ags))
    return sizes


def _national_files(data, out, districts, names, ags) -> dict[str, int]:
    """The VG250 polygons (reprojected) of the municipalities in ``ags`` and the VG5000
    polygons of all Kreise or of ``districts``; simplified and rounded as the region's."""
    municipalities = []
    for ars, exact in vg250.features(data / "boundaries/VG250_GEM_simplified.zip"):
        key = ars[:5] + ars[9:]  # ARS (12 digits) → AGS (8 digits)
        # the register's municipalities only: not the ~200 uninhabited gemeindefreie Gebiete,
        # which it leaves out (Textkennzeichen 66) and VG250 draws
        if key in ags:
            municipalities.append(
                {
                    "type": "Feature",
                    "properties": {"ARS": ars, "AGS": key, "name": names.get(key, "")},
                    "geometry": simplify_geometry(exact, TOLERANCE),
                }
            )
    collection = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
        "features": municipalities,
    }
    kreise = boundaries(
        data / "boundaries/vg5000_2021_Ebene_Kreise.geojson", "ARS", {}, districts, TOLERANCE
    )
    folder = out / "grenzen"
    files = {
        "gemeinden-vg250-2022.geojson": write_json(
            folder / "gemeinden-vg250-2022.geojson", collection
        ),
        "kreise-vg5000-2021.geojson": write_json(folder / "kreise-vg5000-2021.geojson", kreise),
    }
    extra = (
        f"Simplification tolerance: {TOLERANCE} degrees. Municipalities from the national "
        "VG250_GEM_simplified.zip (EPSG:25832), reprojected to CRS84 by scripts/vg250.py."
    )
    write_readme(folder, "grenzen", files, extra)
    return {f"grenzen/{k}": v for k, v in files.items()}


def _region_files(data, out, districts, names, ags) -> dict[str, int]:
    folder = out / "grenzen"
    municipalities = boundaries(
        data / "boundaries/derived-mrn/mrn_gemeinden_vg250_2022_simplified_wgs84.geojson",
        "AGS",
        names,
        ags,
        TOLERANCE,
    )
    kreise = boundaries(
        data / "boundaries/derived-mrn/mrn_kreise_vg5000_2021_wgs84.geojson",
        "ARS",
        {},
        districts,
        TOLERANCE,
    )
    for feature in kreise["features"]:
        feature["properties"]["name"] = ""
    files = {
        "gemeinden-vg250-2022.geojson": write_json(
            folder / "gemeinden-vg250-2022.geojson", municipalities
        ),
        "kreise-vg5000-2021.geojson": write_json(folder / "kreise-vg5000-2021.geojson", kreise),
    }
    write_readme(folder, "grenzen", files, f"Simplification tolerance: {TOLERANCE} degrees.")
    rows = [["district", d] for d in sorted(districts)] + [["municipality", a] for a in sorted(ags)]
    table = write_csv(out / "region" / "gebiete.csv", ["ebene", "schluessel"], rows)
    region = {"gebiete.csv": table}
    write_readme(out / "region", "region", region)
    return {
        **{f"grenzen/{k}": v for k, v in files.items()},
        **{f"region/{k}": v for k, v in region.items()},
    }


def note_scope(out: Path, scope: str) -> None:
    """Say in every README of the national layer what its rows cover: the sources' ``changes``
    describe the region's selection, while the columns and cell values are the same."""
    line = (
        f"\n**Scope of this copy:** the national layer, {scope} (every row the source has there; "
        "Breitbandatlas and BBSR types exist for Baden-Württemberg, Hessen and Rheinland-Pfalz "
        "only). Where *Changes* says MRN rows, read: these rows; columns and cells as stated.\n"
    )
    for readme in out.glob("*/README.md"):
        readme.write_text(readme.read_text(encoding="utf-8") + line, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", default="../shared/data", type=Path)
    parser.add_argument(
        "--out", default=Path(__file__).resolve().parent.parent / "demo/sources", type=Path
    )
    parser.add_argument("--national", type=Path, help="write the national layer to this folder")
    parser.add_argument("--land", help="with --national: only this Land (two digits, e.g. 10)")
    args = parser.parse_args(argv)
    if not (args.data / "SOURCES.md").is_file():
        parser.error(f"{args.data}: not the shared data folder (no SOURCES.md)")
    if args.land and not args.national:
        parser.error("--land goes with --national")
    if args.national:
        if args.land and not re.fullmatch(r"\d\d", args.land):
            parser.error(f"--land {args.land}: not a two-digit Land key")
        sizes = derive(args.data, args.national, None, national=True, land=args.land or "")
        note_scope(args.national, f"Land {args.land}" if args.land else "all of Germany")
    else:
        sizes = derive(args.data, args.out, set(MRN_DISTRICTS))
    for name, size in sorted(sizes.items()):
        print(f"{size:>10,}  {name}")
    print(f"{sum(sizes.values()):>10,}  total")
    return 0


if __name__ == "__main__":
    sys.exit(main())
