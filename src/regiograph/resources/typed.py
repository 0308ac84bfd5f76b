"""Data for the type-specific views: municipality, project, programme, district/region and
dataset. Each ``load_<view>`` runs its ``.rq`` files (one or two queries) and returns what
its template shows; labels of what they find come from ``presenter.learn``."""

from __future__ import annotations

import threading
from collections import defaultdict

from pyoxigraph import Literal, NamedNode

from regiograph.namespaces import CONCEPTS, GEO, RG
from regiograph.resources import charts, geo
from regiograph.resources import values as fmt
from regiograph.resources.describe import query

INDEXED = {CONCEPTS + "indicator/population"}  # shown as first year = 100
# Indicators whose values are codes of a concept scheme: a key fact with the concept's label
# per period, not a line through 1.0, 2.0, 3.0 (DEGURBA: the Gemeindeverzeichnis' key).
_SETTLEMENT = CONCEPTS + "settlement-type/"
CODED = {
    CONCEPTS + "indicator/degurba": {
        1: _SETTLEMENT + "urban",
        2: _SETTLEMENT + "intermediate",
        3: _SETTLEMENT + "rural",
    }
}


def _rows(store, name: str, iri: str) -> list[dict]:
    return store.select(query(name), {"this": NamedNode(iri)})


def _v(row: dict, name: str) -> str | None:
    term = row.get(name)
    return term.value if term is not None else None


def _place(presenter, iri: str, wkts: list[str], kind: str = "") -> dict | None:
    """{lat, lon, label, url, kind[, shape]} as static/map.js draws it: the polygon when the
    resource has one (GeoJSON geometry in ``shape``), else its point; None without either."""
    found = geo.locate([w for w in wkts if w])
    if not found:
        return None
    (lat, lon), shape = found
    place = {
        "lat": lat,
        "lon": lon,
        "label": presenter.label(iri) or iri,
        "url": presenter.link_for(iri),
        "kind": kind,
    }
    if shape:
        place["shape"] = shape
    return place


def _own_place(presenter, iri: str, description, kind: str = "self") -> list[dict]:
    """The resource's own geometries (a blank point, a named boundary) as one place."""
    wkts = [
        obj.value
        for node in description.values(GEO + "hasGeometry")
        for predicate, obj in description.blank.get(node.value, [])
        if predicate == GEO + "asWKT"
    ]
    place = _place(presenter, iri, wkts, kind)
    return [place] if place else []


def _places(presenter, rows: list[dict], key: str, kind) -> dict[str, dict]:
    """One place per ``row[key]`` from all its rows' ``wkt`` values (a municipality has a
    point and a polygon, so it comes in several rows); ``kind`` is a string or row → string."""
    wkts: dict[str, list[str]] = defaultdict(list)
    kinds: dict[str, str] = {}
    for row in rows:
        iri = row[key].value
        wkts[iri].append(_v(row, "wkt") or "")
        kinds.setdefault(iri, kind(row) if callable(kind) else kind)
    places = {iri: _place(presenter, iri, found, kinds[iri]) for iri, found in wkts.items()}
    return {iri: place for iri, place in places.items() if place}


# --- municipality ---------------------------------------------------------------------


def load_municipality(store, iri, description, presenter, district_means=None) -> dict:
    """``district_means(district)``: the district's means from elsewhere (the statistics
    mirror), or None where that cannot answer them; then the store is asked."""
    presenter.labels.setdefault(iri, description.own_labels)
    points = _own_place(presenter, iri, description)
    charts_, coded = _statistics(store, iri, presenter, description, district_means)
    return {
        "facts": _facts(presenter, description) + coded,
        "points": points,
        "charts": charts_,
    }


def _facts(presenter, description) -> list[tuple[str, str]]:
    """Population, area and density, each with its reference date (rg:statisticsDate)."""
    as_of = _reference_date(presenter, description.values(RG + "statisticsDate"))
    facts = []
    for name in ("population", "area"):
        for obj in description.values(RG + name):
            if isinstance(obj, Literal):
                value = fmt.format_literal(obj, presenter.language)
                facts.append((presenter.term_label(RG + name), value + as_of))
    population = fmt.number(next(iter(description.values(RG + "population")), None))
    area = fmt.number(next(iter(description.values(RG + "area")), None))
    if population and area:
        label = presenter.gettext("Inhabitants per km²")
        density = fmt.format_number(round(population / area), presenter.language)
        facts.append((label, density + as_of))
    return facts


def _reference_date(presenter, dates) -> str:
    """`` (31.12.2023)`` for the latest of ``dates``, or nothing without a date."""
    texts = sorted(d.value for d in dates if isinstance(d, Literal))
    return f" ({fmt.format_short_date(texts[-1], presenter.language)})" if texts else ""


def _statistics(store, iri, presenter, description, district_means=None) -> tuple[list, list]:
    """Charts of the indicators over time, and key facts of the coded ones (DEGURBA)."""
    districts = sorted(o.value for o in description.values(RG + "district") if o.value)
    if not districts:
        return [], []
    own, means = _values_and_means(store, iri, districts[0], district_means)
    declared = _declared_breaks(store)
    presenter.learn(list(own) + [c for codes in CODED.values() for c in codes.values()])
    charts_ = [
        _chart(
            presenter,
            indicator,
            own[indicator],
            means.get(indicator, {}),
            declared.get(indicator, frozenset()),
        )
        for indicator in sorted(own, key=presenter.ontology.order)
        if indicator not in CODED
    ]
    coded = [
        _coded_fact(presenter, indicator, own[indicator])
        for indicator in sorted(own, key=presenter.ontology.order)
        if indicator in CODED
    ]
    return [c for c in charts_ if c], [f for f in coded if f]


def _coded_fact(presenter, indicator: str, values: dict[str, float]) -> tuple[str, str] | None:
    """("Grad der Verstädterung (DEGURBA)", "teilweise städtisch (2013-2017), städtisch
    (2019-2023)"): the concept of each code, runs of equal years joined by a dash."""
    codes = CODED[indicator]
    runs: list[list] = []  # [label, first year, last year]
    for year in sorted(values):
        concept = codes.get(int(values[year]))
        label = (presenter.label(concept) if concept else None) or f"{values[year]:g}"
        if runs and runs[-1][0] == label:
            runs[-1][2] = year
        else:
            runs.append([label, year, year])
    if not runs:
        return None
    text = ", ".join(
        f"{label} ({first}\u2013{last})" if first != last else f"{label} ({first})"
        for label, first, last in runs
    )
    return presenter.label(indicator) or indicator.rsplit("/", 1)[-1], text


# district -> (data version, indicator -> year -> (mean, municipalities, break before))
_means: dict[str, tuple[str, dict]] = {}
_means_lock = threading.Lock()


def _values_and_means(store, iri: str, district: str, district_means=None) -> tuple[dict, dict]:
    """Indicator → year → value of ``iri``, and the district's means (one query either way).

    The means are the same for every municipality of the district: the first page of a
    district asks for both at once (``statistics.rq``) and keeps the means for the data
    version; the others ask for their own values only (``statistics_own.rq``). Where
    ``district_means`` knows them (the statistics mirror, made for this content), no page
    asks the store for means at all."""
    version = store.data_version()
    bindings = {"this": NamedNode(iri), "district": NamedNode(district)}
    own: dict[str, dict[str, float]] = defaultdict(dict)
    cached = _means.get(district)
    known = cached[1] if cached and cached[0] == version else None
    if known is None and district_means is not None:
        known = district_means(district)
    if known is not None:
        for row in store.select(query("statistics_own"), bindings):
            own[row["indicator"].value][row["year"].value] = float(row["value"].value)
        return own, known
    means: dict[str, dict[str, tuple[float, int, bool]]] = defaultdict(dict)
    for row in store.select(query("statistics"), bindings):
        indicator, year = row["indicator"].value, row["year"].value
        means[indicator][year] = (
            float(row["mean"].value),
            int(row["n"].value),
            row["break"].value == "1",
        )
        if int(row["own"].value):
            own[indicator][year] = float(row["value"].value)
    with _means_lock:
        if len(_means) > 10_000:  # districts of stores long gone (tests, reloads)
            _means.clear()
        _means[district] = (version, dict(means))
    return own, means


# data version -> indicator -> the years its series breaks take effect (rg:SeriesBreak)
_declared: dict[str, dict[str, frozenset[str]]] = {}


def _declared_breaks(store) -> dict[str, frozenset[str]]:
    version = store.data_version()
    if version not in _declared:
        years: dict[str, set[str]] = defaultdict(set)
        for row in store.select(query("series_breaks")):
            years[row["indicator"].value].add(row["year"].value)
        _declared.clear()  # one data version at a time is enough
        _declared[version] = {k: frozenset(v) for k, v in years.items()}
    return _declared[version]


def _chart(presenter, indicator: str, values: dict[str, float], means: dict, declared=()):
    years = sorted(y for y in values if y in means)
    own = [(y, values[y]) for y in years]
    mean = [(y, means[y][0]) for y in years]
    if not years:
        return None
    title = presenter.label(indicator) or indicator.rsplit("/", 1)[-1]
    n = means[years[0]][1]
    if indicator in INDEXED and own and own[0][1] and mean[0][1]:
        own = [(y, 100 * v / own[0][1]) for y, v in own]
        mean = [(y, 100 * v / mean[0][1]) for y, v in mean]
        title += f" ({own[0][0]} = 100)"
    series = [charts.Series(presenter.label(presenter.current) or "", own)]
    if n > 1:
        name = presenter.gettext("district mean (%(n)s municipalities)") % {"n": n}
        series.append(charts.Series(name, mean))
    flagged = {y for y in years if means[y][2]}
    breaks = charts.break_marks(years, flagged, frozenset(declared))
    label = presenter.gettext("break in the series")
    return charts.line_chart(title, series, presenter.language, breaks, label)


# --- project --------------------------------------------------------------------------


def load_project(store, iri, description, presenter) -> dict:
    partners = _rows(store, "partners", iri)
    grants = _rows(store, "grants", iri)
    related = _rows(store, "related", iri)
    transfers = _rows(store, "transfers", iri)
    presenter.learn(
        [
            _v(r, k)
            for r in partners + grants + related + transfers
            for k in (
                "org",
                "grant",
                "recipient",
                "programme",
                "other",
                "lead",
                "solution",
                "from",
                "to",
                "transfer",
            )
            if _v(r, k)
        ]
    )
    return {
        "points": _partner_places(presenter, partners),
        "grants": _grants(presenter, grants),
        "related": _related(presenter, related),
        "transfers": [
            {
                "transfer": presenter.link(r["transfer"].value),
                "solution": presenter.link(_v(r, "solution")) if "solution" in r else None,
                "from": presenter.link(_v(r, "from")) if "from" in r else None,
                "to": presenter.link(_v(r, "to")) if "to" in r else None,
                "date": fmt.format_literal(r["date"], presenter.language) if "date" in r else "",
            }
            for r in transfers
        ],
    }


def _partner_places(presenter, partners: list[dict]) -> list[dict]:
    """Each partner's own geometry (a municipality's area), else the point of the place it
    is located in: an organisation sits in a town, it does not cover it."""

    def role(row):
        return "lead" if row["rel"].value == RG + "lead" else "participant"

    own = _places(presenter, [r for r in partners if "wkt" in r], "org", role)
    located = _places(
        presenter, [{**r, "wkt": r["placeWkt"]} for r in partners if "placeWkt" in r], "org", role
    )
    for place in located.values():
        place.pop("shape", None)
    return list({**located, **own}.values())


def _related(presenter, rows) -> list[dict]:
    seen: dict[str, dict] = {}
    for row in rows:
        entry = seen.setdefault(
            row["other"].value,
            {
                "project": presenter.link(row["other"].value),
                "solutions": int(row["solutions"].value),
                "themes": int(row["themes"].value),
                "leads": [],
            },
        )
        if "lead" in row:
            entry["leads"].append(presenter.link(row["lead"].value))
    return sorted(seen.values(), key=lambda e: (-e["solutions"], -e["themes"], e["project"].text))


# --- funding --------------------------------------------------------------------------


def _grants(presenter, rows) -> dict:
    grants: dict[str, dict] = {}
    for row in rows:
        amount = fmt.number(row.get("amount"))
        entry = grants.setdefault(
            row["grant"].value,
            {
                "grant": presenter.link(row["grant"].value),
                "amount": amount or 0.0,
                "amount_text": fmt.format_money(
                    _v(row, "amount"), _v(row, "currency") or "EUR", presenter.language
                )
                if amount is not None
                else "",
                "recipient": presenter.link(_v(row, "recipient")) if "recipient" in row else None,
                "item": presenter.link(_v(row, "item")) if "item" in row else None,
                "programme": presenter.link(_v(row, "programme")) if "programme" in row else None,
                "district": _v(row, "district") or _v(row, "recipient"),
                "period": " \u2013 ".join(
                    fmt.format_literal(row[k], presenter.language)
                    for k in ("start", "end")
                    if k in row
                ),
            },
        )
        entry.setdefault("district", None)
    total = sum(g["amount"] for g in grants.values())
    by_district: dict[str, float] = defaultdict(float)
    for g in grants.values():
        by_district[g["district"] or ""] += g["amount"]
    presenter.learn([d for d in by_district if d])
    return {
        "rows": sorted(grants.values(), key=lambda g: -g["amount"]),
        "total": fmt.format_money(str(total), "EUR", presenter.language) if grants else "",
        "by_district": [
            (presenter.link(d) if d else None, fmt.format_money(str(a), "EUR", presenter.language))
            for d, a in sorted(by_district.items(), key=lambda da: -da[1])
        ],
    }


def load_programme(store, iri, description, presenter) -> dict:
    grants = _rows(store, "grants", iri)
    windows = _rows(store, "windows", iri)
    presenter.learn(
        [
            _v(r, k)
            for r in grants + windows
            for k in ("grant", "recipient", "item", "window")
            if _v(r, k)
        ]
    )
    return {
        "grants": _grants(presenter, grants),
        "windows": [
            {
                "window": presenter.link(r["window"].value),
                "start": fmt.format_literal(r["start"], presenter.language) if "start" in r else "",
                "end": fmt.format_literal(r["end"], presenter.language) if "end" in r else "",
            }
            for r in windows
        ],
    }


# --- district and region ----------------------------------------------------------------


def load_area(store, iri, description, presenter) -> dict:
    rows = _rows(store, "members", iri)
    presenter.labels.setdefault(iri, description.own_labels)
    presenter.learn([r["m"].value for r in rows])
    members = {}
    for row in rows:
        m = row["m"].value
        if m in members:
            continue
        population, area = fmt.number(row.get("population")), fmt.number(row.get("area"))
        members[m] = {
            "link": presenter.link(m),
            "ags": _v(row, "ags") or "",
            "population": population,
            "area": area,
        }
    # the area's own outline (never its point) first, so that its members are drawn over it
    points = [p for p in _own_place(presenter, iri, description, "outline") if "shape" in p]
    points += _places(presenter, rows, "m", "member").values()
    table = sorted(members.values(), key=lambda r: -(r["population"] or 0))
    lang = presenter.language
    for row in table:
        row["population_text"] = (
            fmt.format_number(int(row["population"]), lang) if row["population"] else ""
        )
        row["area_text"] = fmt.format_number(row["area"], lang) if row["area"] else ""
    return {
        "members": table,
        "points": points,
        "totals": _area_totals(presenter, description, rows, table),
    }


def _area_totals(presenter, description, rows, table) -> dict:
    """The area's own (official) population, area and density with their reference date;
    the sums over the loaded municipalities only where they differ from the official figure
    (a district whose municipalities are not all loaded), with the reason."""
    lang = presenter.language
    sums = {
        "population": sum(r["population"] or 0 for r in table),
        "area": sum(r["area"] or 0 for r in table),
    }
    own = {
        key: fmt.number(next(iter(description.values(RG + key)), None))
        for key in ("population", "area")
    }
    own_as_of = _reference_date(presenter, description.values(RG + "statisticsDate"))
    sum_as_of = _reference_date(presenter, [r["date"] for r in rows if "date" in r])
    shown = {k: (own[k], own_as_of) if own[k] else (sums[k], sum_as_of) for k in sums}
    population, area = shown["population"][0], shown["area"][0]
    totals = {
        "count": len(table),
        "official": {k: bool(own[k]) for k in own},
        "population": fmt.format_number(int(population), lang) + shown["population"][1],
        "area": fmt.format_number(round(area, 2), lang) + shown["area"][1],
        # a density only of figures of one kind: official by official, sum by sum
        "density": (
            fmt.format_number(round(population / area), lang) + shown["population"][1]
            if area and bool(own["population"]) == bool(own["area"])
            else ""
        ),
    }
    if own["population"] and table and round(sums["population"]) != round(own["population"]):
        totals["population_sum"] = fmt.format_number(int(sums["population"]), lang) + sum_as_of
    return totals


# --- dataset --------------------------------------------------------------------------


def load_dataset(store, iri, description, presenter) -> dict:
    rows = _rows(store, "distributions", iri)
    presenter.learn([_v(r, k) for r in rows for k in ("d", "format", "license") if _v(r, k)])
    distributions: dict[str, dict] = {}
    for row in rows:
        entry = distributions.setdefault(row["d"].value, {"link": presenter.link(row["d"].value)})
        for key in ("format", "license"):
            if key in row:
                entry[key] = presenter.link(row[key].value)
        for key in ("download", "access", "media"):
            if key in row:
                entry[key] = fmt.safe_href(row[key].value)
    return {"distributions": list(distributions.values())}
