"""``/statistics``: the statistics explorer and the list of cubes, answered from the mirror.

Pick an indicator, municipalities (by district, size class or a list of AGS) and a period;
see a table and a chart, download tidy CSV. Every ``qb:DataSet`` is listed with its
structure and downloadable whole.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import defaultdict
from urllib.parse import urlencode

from flask import Blueprint, Response, render_template, request
from flask_babel import gettext

from regiograph.savedqueries import Parameter, ParameterError, convert
from regiograph.savedqueries.charts import chart
from regiograph.server.kit import i18n
from regiograph.server.routes import statistics_html as html
from regiograph.server.services import config, store
from regiograph.server.services import statistics as mirror
from regiograph.statistics import choropleth, cubes, explorer

blueprint = Blueprint("statistics", __name__)
MAX_AGS = 500


def _selection(args) -> explorer.Selection:
    """The explorer's request arguments, validated like saved-query parameters."""

    def value(name: str, kind: str):
        raw = args.get(name, "").strip()
        if not raw:
            return None
        return convert(Parameter(name, kind), raw, config().base_iri).value

    ags = tuple(a for a in re.split(r"[\s,;]+", args.get("ags", "")) if a)
    if len(ags) > MAX_AGS:
        raise ParameterError("ags", f"at most {MAX_AGS} municipalities")
    for key in ags:
        convert(Parameter("ags", "ags"), key, "")
    years = [value(n, "year") for n in ("from", "to")]
    return explorer.Selection(
        indicator=value("indicator", "iri"),
        district=value("district", "iri"),
        size_class=value("size_class", "iri"),
        ags=ags,
        dataset=value("dataset", "iri"),
        from_year=int(years[0]) if years[0] else None,
        to_year=int(years[1]) if years[1] else None,
    )


@blueprint.get("/statistics")
def explore():
    options = mirror().memo("options", lambda: explorer.options(mirror()))
    args = dict(request.args)
    if not args.get("indicator") and options["indicators"]:
        args["indicator"] = options["indicators"][0]["indicator"]
    selection = _selection(args)
    view = args.get("view") if args.get("view") in VIEWS else "table"
    sort, descending = _sort(args.get("sort", ""))
    number = _page_number(args.get("page", ""))
    found = view_data = None
    lang = i18n.language()
    if selection.indicator:
        values = explorer.series(mirror(), selection, lang)
        found = {
            "values": len(values),
            "chart": _chart(values),
            "map": choropleth.classify(
                explorer.latest_of(values, explorer.municipalities(mirror(), selection))
            ),
        }
        view_data = _view(view, selection, values, sort, descending, number, lang)
    return render_template(
        "statistics.html",
        options=options,
        args=args,
        view=view,
        views=VIEWS,
        sort=args.get("sort", ""),
        found=found,
        shown=view_data,
        link=lambda **changes: _link(args, changes),
        class_lists=html.class_lists,
        district_options=mirror()
        .memo("districts", lambda: html.Options(_districts(options)))
        .choose(args.get("district")),
        indicator_options=mirror()
        .memo(f"indicators-{lang}", lambda: html.Options(_indicators(options, lang)))
        .choose(args.get("indicator")),
        size_class_options=mirror()
        .memo(f"size-classes-{lang}", lambda: html.Options(_size_classes(options, lang)))
        .choose(args.get("size_class")),
        cubes=mirror().memo(f"cubes-{lang}", lambda: cubes.cubes(store(), mirror(), lang)),
        selection_query=_query(args, ("page",)),
        status=mirror().memo("status", mirror().status),
        lang=lang,
    )


VIEWS = ("table", "years", "indicators")
PAGE_SIZE = 50
# Up to this many values the page sorts the rows it has already read for the chart and the
# map; beyond, DuckDB sorts and pages (its sort beats Python's on large selections).
SORT_IN_PYTHON = 20_000


def _sort(raw: str) -> tuple[str, bool]:
    """``name``, ``-value`` …: a column of explorer.SORTS, descending with a minus."""
    column = raw.removeprefix("-")
    if raw and column not in explorer.SORTS:
        raise ParameterError("sort", "one of " + ", ".join(explorer.SORTS))
    return column or "name", raw.startswith("-")


def _page_number(raw: str) -> int:
    if not raw.strip():
        return 1
    if not raw.strip().isdigit() or not 1 <= int(raw) <= 100_000:
        raise ParameterError("page", "a page number from 1")
    return int(raw)


def _view(view, selection, values, sort, descending, number, lang) -> dict:
    """One page of the table or of a pivot, with what paging links need."""
    offset = (number - 1) * PAGE_SIZE
    if view == "table":
        if len(values) <= SORT_IN_PYTHON:
            total, records = explorer.page_of(values, sort, descending, offset, PAGE_SIZE)
        else:
            total, records = explorer.page(
                mirror(), selection, sort, descending, offset, PAGE_SIZE, lang
            )
        return {
            "total": total,
            "rows": html.table_body(records),
            "page": number,
            "pages": max(1, -(-total // PAGE_SIZE)),
        }
    pivot = (
        explorer.pivot_years(values)
        if view == "years"
        else explorer.pivot_indicators(mirror(), selection, lang)
    )
    total = len(pivot["rows"])
    return {
        "total": total,
        "columns": pivot["columns"],
        "rows": html.pivot_body(pivot["rows"][offset : offset + PAGE_SIZE]),
        "page": number,
        "pages": max(1, -(-total // PAGE_SIZE)),
    }


def _chart(values: list[dict]) -> dict | None:
    """Line chart of the selection's series (the largest eight), its breaks marked: a dashed
    line before the first value after a break (SDMX obsStatus B), as on resource pages."""
    drawing = chart(
        "line",
        ["name", "period", "value"],
        [{"name": v["name"], "period": v["period"], "value": v["value"]} for v in values],
        {"x": "period", "y": "value", "series": "name"},
    )
    if drawing:
        drawing["x"], drawing["y"] = gettext("Year"), gettext("Value")
        labels = [label["text"] for label in drawing["labels"]]
        broken = _break_periods(values, labels)
        xs = [label["x"] for label in drawing["labels"]]
        drawing["breaks"] = [
            {"x": round((xs[i - 1] + xs[i]) / 2, 1), "period": text}
            for i, text in enumerate(labels)
            if i and text in broken
        ]
    return drawing


def _break_periods(values: list[dict], labels: list[str]) -> set[str]:
    """The x labels a break mark goes before. A flag (obsStatus B) is true within its own data
    set: the register's 2023 population is its first value on the 2022 census basis. With
    another data set's value between (the census of 2022 itself) the break lies before that
    one, so the mark goes before the first label after the flagged data set's last value
    before the flag."""
    periods: dict[tuple, list[str]] = defaultdict(list)
    for v in values:
        periods[(v["name"], v.get("dataset"))].append(str(v["period"]))
    marks = set()
    for v in values:
        if not v["series_break"]:
            continue
        flag = str(v["period"])
        before = [p for p in periods[(v["name"], v.get("dataset"))] if p < flag]
        marks.add(min((x for x in labels if x > max(before)), default=flag) if before else flag)
    return marks


def _query(args: dict, leave_out: tuple[str, ...] = ()) -> str:
    return urlencode({k: v for k, v in args.items() if v and k not in leave_out})


def _link(args: dict, changes: dict) -> str:
    """This selection's URL with ``changes`` (a page, a sort, a view); a new sort or view
    starts at page one."""
    merged = dict(args)
    if "page" not in changes:
        merged.pop("page", None)
    merged.update({k: str(v) for k, v in changes.items()})
    return "/statistics?" + _query(merged)


def _districts(options: dict) -> list[tuple[str, str]]:
    return [(d["district"], f"{d['name']} ({d['municipalities']})") for d in options["districts"]]


def _indicators(options: dict, lang: str) -> list[tuple[str, str]]:
    """(IRI, "label (unit; first-last)") per indicator, in ``lang`` where it has a label."""
    english = lang == "en"
    return [
        (
            i["indicator"],
            f"{i['label_en'] if english and i['label_en'] else i['label']} "
            f"({i['unit_en'] if english and i['unit_en'] else i['unit']}; "
            f"{i['first']}\u2013{i['last']})",
        )
        for i in options["indicators"]
    ]


def _size_classes(options: dict, lang: str) -> list[tuple[str, str]]:
    english = lang == "en"
    return [
        (s["concept"], s["label_en"] if english and s["label_en"] else s["label_de"])
        for s in options["size_classes"]
    ]


@blueprint.get("/statistics/data.csv")
def tidy_csv():
    """Tidy CSV of the selection (or of one whole cube with ``dataset=``)."""
    rows = _download_rows()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(explorer.CSV_COLUMNS)
    writer.writerows(rows)
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{_file_name()}.csv"'
    return response


@blueprint.get("/statistics/data.json")
def tidy_json():
    """The same rows as the CSV, as JSON objects, with the selection that made them."""
    rows = _download_rows()
    body = {
        "selection": {k: v for k, v in request.args.items() if v},
        "columns": explorer.CSV_COLUMNS,
        "rows": [dict(zip(explorer.CSV_COLUMNS, r, strict=True)) for r in rows],
    }
    response = Response(json.dumps(body, ensure_ascii=False), mimetype="application/json")
    response.headers["Content-Disposition"] = f'inline; filename="{_file_name()}.json"'
    return response


@blueprint.get("/statistics/shapes.geojson")
def shapes():
    """The municipalities' boundaries for the choropleth map, one feature per municipality
    (its IRI as id); the page colours them. The same for every selection, so cached."""
    body = mirror().memo("shapes-geojson", _shapes_geojson)
    response = Response(body, mimetype="application/geo+json")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


def _shapes_geojson() -> str:
    features = [
        {"type": "Feature", "id": area, "geometry": shape, "properties": {}}
        for area, shape in explorer.shapes(mirror()).items()
    ]
    return json.dumps({"type": "FeatureCollection", "features": features})


def _download_rows() -> list[tuple]:
    lang = i18n.language()
    sources = mirror().memo(
        f"sources-{lang}", lambda: {c.iri: c.title for c in cubes.cubes(store(), mirror(), lang)}
    )
    return explorer.download(mirror(), _selection(request.args), lang, sources)


def _file_name() -> str:
    """What the file holds: indicator (or cube), area, years, e.g.
    ``statistics_population_district-08226_2017-2021``."""
    args = request.args
    parts = ["statistics"]
    for key in ("dataset", "indicator", "district", "size_class"):
        if args.get(key):
            slug = args[key].rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
            parts.append(slug if key in ("dataset", "indicator") else f"{key}-{slug}")
    if args.get("ags"):
        keys = [a for a in re.split(r"[\s,;]+", args["ags"]) if a]
        parts.append("ags-" + "-".join(keys[:3]) + ("-etc" if len(keys) > 3 else ""))
    if args.get("from") or args.get("to"):
        parts.append(f"{args.get('from', '')}-{args.get('to', '')}")
    return re.sub(r"[^A-Za-z0-9_.-]", "_", "_".join(parts))[:150]
