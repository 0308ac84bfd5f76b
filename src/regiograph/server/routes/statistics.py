"""``/statistics``: the statistics explorer and the list of cubes, answered from the mirror.

Pick an indicator, municipalities (by district, size class or a list of AGS) and a period;
see a table and a chart, download tidy CSV. Every ``qb:DataSet`` is listed with its
structure and downloadable whole.
"""

from __future__ import annotations

import csv
import io
import re

from flask import Blueprint, Response, render_template, request

from regiograph.savedqueries import Parameter, ParameterError, convert
from regiograph.savedqueries.charts import chart
from regiograph.server.kit import i18n
from regiograph.server.routes import statistics_html as html
from regiograph.server.services import config, store
from regiograph.server.services import statistics as mirror
from regiograph.statistics import cubes, explorer

blueprint = Blueprint("statistics", __name__)
MAX_AGS = 500
TABLE_ROWS = 5000


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
    rows = explorer.tidy(mirror(), selection, TABLE_ROWS + 1) if selection.indicator else []
    records = [dict(zip(explorer.TIDY_COLUMNS, r, strict=True)) for r in rows[:TABLE_ROWS]]
    drawing = chart(
        "line",
        ["name", "period", "value"],
        [
            {"name": r["name"] or r["ags"] or r["area"], "period": r["period"], "value": r["value"]}
            for r in records
        ],
        {"x": "period", "y": "value", "series": "name"},
    )
    return render_template(
        "statistics.html",
        options=options,
        args=args,
        records=records,
        table=html.table_body(records),
        district_options=html.options(
            mirror().memo("districts", lambda: _districts(options)), args.get("district")
        ),
        chart=drawing,
        truncated=len(rows) > TABLE_ROWS,
        cubes=mirror().memo("cubes", lambda: cubes.cubes(store(), mirror())),
        download="/statistics/data.csv?" + request.query_string.decode("ascii", "replace"),
        status=mirror().memo("status", mirror().status),
        lang=i18n.language(),
    )


def _districts(options: dict) -> list[tuple[str, str]]:
    return [(d["district"], f"{d['name']} ({d['municipalities']})") for d in options["districts"]]


@blueprint.get("/statistics/data.csv")
def tidy_csv():
    """Tidy CSV of the selection (or of one whole cube with ``dataset=``)."""
    rows = explorer.tidy(mirror(), _selection(request.args))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(explorer.TIDY_COLUMNS)
    writer.writerows(rows)
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="statistics.csv"'
    return response
