"""The mirror's dictionary-coded IRI columns answer exactly as plain text columns did.

The oracle is the same mirror's tables copied into plain VARCHAR columns (the layout before
ENUM types): every SQL twin and the explorer's tidy query must give the same rows, in the
same order, on both.
"""

from __future__ import annotations

import re

import duckdb
import pytest
from markupsafe import escape

from regiograph import savedqueries
from regiograph.bundled import data_dir
from regiograph.server.routes import statistics_html as html
from regiograph.statistics import Mirror, explorer
from regiograph.statistics import mirror as mirrors

POPULATION = "https://w3id.org/regiograph/concepts/indicator/population"
DISTRICT = "http://localhost:8080/id/district/08226"
# The explorer's query before ENUM columns and labels added in Python: the oracle.
TIDY_BEFORE = """
SELECT a.ags, a.name, o.area, o.indicator, coalesce(i.label_de, o.indicator) AS indicator_label,
       o.period, o.value, o.unit, coalesce(u.label_de, o.unit) AS unit_label, o.dataset
FROM observations o
LEFT JOIN areas a ON a.area = o.area
LEFT JOIN concepts i ON i.concept = o.indicator
LEFT JOIN concepts u ON u.concept = o.unit
WHERE (CAST($dataset AS VARCHAR) IS NULL OR o.dataset = $dataset)
  AND (CAST($indicator AS VARCHAR) IS NULL OR o.indicator = $indicator)
  AND (CAST($district AS VARCHAR) IS NULL OR a.district = $district)
  AND (CAST($size_class AS VARCHAR) IS NULL OR a.size_class = $size_class)
  AND (CAST($ags AS VARCHAR[]) IS NULL OR list_contains($ags, a.ags))
  AND (CAST($from_year AS INTEGER) IS NULL OR o.period >= $from_year)
  AND (CAST($to_year AS INTEGER) IS NULL OR o.period <= $to_year)
ORDER BY a.name, a.ags, o.area, o.indicator, o.period
LIMIT $limit
"""
SELECTIONS = [
    explorer.Selection(POPULATION, district=DISTRICT, from_year=2018, to_year=2020),
    explorer.Selection(POPULATION, ags=("08222000", "08221000"), to_year=2019),
    explorer.Selection(
        size_class="https://w3id.org/regiograph/concepts/size-class/100000-plus", from_year=2020
    ),
    explorer.Selection(),
]


@pytest.fixture(scope="module")
def mirror(app):
    return app.extensions["regiograph.statistics"]


@pytest.fixture(scope="module")
def as_text(mirror):
    """An in-memory copy of the mirror's tables with every ENUM column cast to VARCHAR."""
    db = duckdb.connect()
    for table in ("observations", "areas", "concepts"):
        _, described = mirror.sql(f"DESCRIBE {table}")
        casts = [
            f'"{name}"::VARCHAR AS "{name}"' if kind.startswith("ENUM") else f'"{name}"'
            for name, kind, *_ in described
        ]
        columns, rows = mirror.sql(f"SELECT {', '.join(casts)} FROM {table}")
        types = {name: kind for name, kind, *_ in described}
        db.execute(
            f"CREATE TABLE {table} ("
            + ", ".join(
                f'"{c}" {"VARCHAR" if types[c].startswith("ENUM") else types[c]}' for c in columns
            )
            + ")"
        )
        if rows:
            db.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(columns))})", rows)
    yield db
    db.close()


def test_iri_columns_are_dictionary_coded(mirror):
    _, described = mirror.sql("DESCRIBE observations")
    kinds = {name: kind for name, kind, *_ in described}
    assert all(kinds[c].startswith("ENUM") for c in ("dataset", "area", "indicator"))
    _, described = mirror.sql("DESCRIBE areas")
    assert dict((n, k) for n, k, *_ in described)["area"] == kinds["area"]


def test_a_selective_query_returns_exactly_the_expected_rows(mirror, as_text):
    selection = explorer.Selection(POPULATION, district=DISTRICT, from_year=2017, to_year=2021)
    rows = explorer.tidy(mirror, selection)
    expected = as_text.execute(TIDY_BEFORE, selection.params(10_000_000)).fetchall()
    assert len(rows) == 54 * 3  # the district's 54 municipalities, GV-ISys 2017, 2019, 2021
    assert rows == expected
    assert {r[3] for r in rows} == {POPULATION} and {r[5] for r in rows} == {2017, 2019, 2021}
    assert all(isinstance(r[2], str) and r[2].startswith("http") for r in rows)


def test_an_iri_outside_the_dictionary_selects_nothing(mirror):
    unknown = explorer.Selection("https://example.org/not-an-indicator", district=DISTRICT)
    assert explorer.tidy(mirror, unknown) == []
    _, rows = mirror.sql(
        "SELECT count(*) FROM observations WHERE area = $a", {"a": "urn:x:nowhere"}
    )
    assert rows == [(0,)]


PARAMETERS = {
    "stats-district-aggregate": [{}, {"indicator": POPULATION, "year": 2019}],
    "stats-indicator-averages": [{}],
    "stats-indicator-ranking": [
        {"indicator": POPULATION, "year": 2021, "district": None},
        {"indicator": POPULATION, "year": None, "district": DISTRICT},
    ],
    "stats-municipality-profile": [{"ags": "08221000", "year": 2022}, {"ags": "08221000"}],
    "stats-population-development": [
        {"district": DISTRICT, "fromYear": 2016, "toYear": 2021},
        {"district": None, "fromYear": None, "toYear": None},
    ],
    "stats-size-class-comparison": [{"indicator": POPULATION}, {"indicator": None}],
}


def test_every_cube_query_answers_as_with_text_columns(mirror, as_text):
    catalog = savedqueries.load_catalog(data_dir("queries"))
    twins = {q.name: q for q in catalog.queries.values() if q.engine == "cube"}
    assert set(twins) == set(PARAMETERS)
    for name, cases in PARAMETERS.items():
        sql = twins[name].sql
        for case in cases:
            params = {k: case.get(k) for k in set(re.findall(r"\$(\w+)", sql))}
            _, rows = mirror.sql(sql, params)
            expected = as_text.execute(sql, params).fetchall()
            assert rows, (name, case)
            assert rows == expected, (name, case)


def test_explorer_table_cells_formatted_and_linked(client, mirror):
    query = {"indicator": POPULATION, "district": DISTRICT, "from": "2019", "to": "2019"}
    pages = [{}, {"page": "2"}]  # 50 rows a page
    page = "".join(
        client.get("/statistics", query_string=query | p).get_data(as_text=True) for p in pages
    )
    rows = explorer.tidy(mirror, explorer.Selection(POPULATION, DISTRICT, None, (), 2019, 2019))
    assert len(rows) == 54 and any(r[6] >= 1000 for r in rows)
    for ags, name, area, *_, value, _unit, unit_label, _ds in rows:
        grouped = f"{round(value):,}".replace(",", " ")  # whole numbers of inhabitants
        link = "/resource?iri=" + area.replace(":", "%3A")
        assert (
            f'<tr><td>{ags}</td><td><a href="{link}">{escape(name)}</a></td><td>2019</td>'
            f'<td class="num">{grouped}</td><td>{escape(unit_label)}</td></tr>'
        ) in page


@pytest.mark.parametrize("selection", SELECTIONS)
def test_tidy_rows_as_before_for_every_kind_of_selection(mirror, as_text, selection):
    rows = explorer.tidy(mirror, selection)
    assert rows
    assert rows == as_text.execute(TIDY_BEFORE, selection.params(10_000_000)).fetchall()


def test_table_and_options_escape_every_value():
    record = {
        "ags": "0<1",
        "area": 'urn:x:a"b c',
        "name": "<script>alert(1)</script> & Co",
        "period": 2020,
        "value": 1234567.5,
        "unit_label": None,
    }
    assert str(html.table_body([record])) == (
        '<tr><td>0&lt;1</td><td><a href="/resource?iri=urn%3Ax%3Aa%22b%20c">'
        "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co</a></td><td>2020</td>"
        '<td class="num">1 234 567.5</td><td>None</td></tr>'
    )
    choices = [("urn:x:1", "Kreis <1> (3)"), ('urn:x:"2"', "B & B (4)")]
    options = html.Options(choices)
    assert str(options.choose('urn:x:"2"')) == (
        '<option value="urn:x:1">Kreis &lt;1&gt; (3)</option>'
        '<option value="urn:x:&#34;2&#34;" selected>B &amp; B (4)</option>'
    )
    assert str(options.choose("urn:x:1")).count(" selected") == 1
    assert str(options.choose("urn:x:1")).startswith('<option value="urn:x:1" selected>')
    assert " selected" not in str(options.choose(None)) + str(options.choose("urn:x:3"))


def test_a_mirror_file_of_an_older_layout_is_rebuilt(demo_store, tmp_path):
    path = tmp_path / "statistics.duckdb"
    Mirror(demo_store, path).status()
    with duckdb.connect(str(path)) as db:  # as a file written before ENUM columns would be
        db.execute("DELETE FROM meta WHERE key = 'layout'")
    status = Mirror(demo_store, path).status()
    assert status["layout"] == mirrors.LAYOUT
    assert status["data_version"] == demo_store.content_version()


_JOINED = """
SELECT a.ags, a.name, o.area::VARCHAR, o.period, o.value, o.unit, o.series_break,
       o.dataset::VARCHAR
FROM observations o LEFT JOIN areas a ON a.area = o.area
WHERE {conditions}
"""


def test_the_series_table_holds_what_the_join_gives(demo_platform):
    """explorer.series reads series_rows (observations with their areas' keys, made with the
    mirror); every selection gets the rows the join of observations and areas gives."""
    cfg, store = demo_platform
    mirror = Mirror(store, cfg.data_path / "statistics.duckdb")
    _, rows = mirror.sql("SELECT DISTINCT district FROM areas WHERE district IS NOT NULL")
    _, indicators = mirror.sql("SELECT DISTINCT indicator::VARCHAR FROM observations")
    _, classes = mirror.sql("SELECT DISTINCT size_class FROM areas WHERE size_class IS NOT NULL")
    compared = 0
    for k, (district,) in enumerate(sorted(rows)):
        indicator = sorted(indicators)[k % len(indicators)][0]
        for selection in (
            explorer.Selection(indicator=indicator, district=district, from_year=2011),
            explorer.Selection(district=district, to_year=2020),
            explorer.Selection(indicator=indicator, size_class=classes[k % len(classes)][0]),
            explorer.Selection(indicator=indicator, ags=("08221000", "07314000")),
        ):
            conditions, params = explorer._where(selection)
            _, expected = mirror.sql(_JOINED.format(conditions=conditions), params)
            _, found = mirror.sql(explorer._SERIES.format(conditions=conditions), params)
            assert sorted(found, key=repr) == sorted(expected, key=repr), selection
            compared += len(expected)
    assert compared > 10_000
