-- Typed tables of the statistics mirror, from the raw CSV columns (all text).
-- Run once per build by mirror.py; the explorer and the SQL twins of saved queries read them.
CREATE TABLE concepts AS
SELECT concept, any_value(scheme) AS scheme, min(labelDe) AS label_de, min(labelEn) AS label_en,
       min(unit) AS unit, min(notation) AS notation,
       min(TRY_CAST("min" AS BIGINT)) AS min_population,
       min(TRY_CAST("max" AS BIGINT)) AS max_population
FROM raw_concepts GROUP BY concept;

-- IRI columns that questions select by are dictionary-coded: ENUM types made from the
-- distinct values, in sorted order. DuckDB's row-group min/max for strings compares only the
-- first 8 bytes (every IRI starts with "https://"), so on text it skips nothing; an ENUM is
-- stored as a small integer, a string parameter compared with it is cast to that integer
-- once, and zone maps on the sorted column skip row groups. Values read back as text, and
-- ORDER BY on an ENUM follows its (sorted) dictionary, so every query's rows stay the same.
CREATE TYPE dataset_iri AS ENUM (SELECT DISTINCT o FROM raw_dataset WHERE o IS NOT NULL ORDER BY o);
CREATE TYPE indicator_iri AS ENUM (
  SELECT DISTINCT o FROM raw_indicator WHERE o IS NOT NULL ORDER BY o);
CREATE TYPE area_iri AS ENUM (
  SELECT DISTINCT iri FROM (SELECT o AS iri FROM raw_area UNION ALL SELECT area FROM raw_areas)
  WHERE iri IS NOT NULL ORDER BY iri);

-- Observations: the components joined by subject; only subjects in a qb:DataSet count.
-- Stored sorted by indicator, area and period: DuckDB then skips whole row groups by their
-- min/max when a question names an indicator or (through a join with areas) a district.
CREATE TABLE observations AS
SELECT d.o::dataset_iri AS dataset, a.o::area_iri AS area, i.o::indicator_iri AS indicator,
       TRY_CAST(substr(p.o, 1, 4) AS INTEGER) AS period,
       TRY_CAST(v.o AS DOUBLE) AS value,
       coalesce(u.o, c.unit) AS unit,
       -- a break in the series before this value (SDMX obsStatus B): charts mark it
       coalesce(b.o = 'http://purl.org/linked-data/sdmx/2009/code#obsStatus-B', false) AS series_break
FROM raw_dataset d
JOIN raw_area a USING (s) JOIN raw_indicator i USING (s) JOIN raw_period p USING (s)
JOIN raw_value v USING (s) LEFT JOIN raw_unit u USING (s)
LEFT JOIN (SELECT s, min(o) AS o FROM raw_status GROUP BY s) b USING (s)
LEFT JOIN concepts c ON c.concept = i.o
ORDER BY indicator, area, period;

CREATE TABLE areas AS
WITH facts AS (
  SELECT area, any_value(kind) AS kind, min(ags) AS ags, min(name) AS name,
         min(district) AS district, min(districtName) AS district_name,
         max(TRY_CAST(population AS BIGINT)) AS population, min(settlement) AS settlement
  FROM raw_areas GROUP BY area
), latest AS (
  -- where a municipality has no rg:population, its latest population observation counts
  SELECT area, arg_max(value, period)::BIGINT AS population FROM observations
  WHERE indicator = 'https://w3id.org/regiograph/concepts/indicator/population' GROUP BY area
)
SELECT f.area::area_iri AS area, f.kind, f.ags, f.name, f.district, f.district_name,
       coalesce(f.population, l.population) AS population, f.settlement,
       (SELECT s.concept FROM concepts s
        WHERE s.scheme = 'https://w3id.org/regiograph/concepts/size-class'
          AND coalesce(f.population, l.population) >= s.min_population
          AND (s.max_population IS NULL OR coalesce(f.population, l.population) < s.max_population)
        LIMIT 1) AS size_class
FROM facts f LEFT JOIN latest l USING (area);

-- One boundary per municipality (WKT text; the explorer turns it into GeoJSON once).
CREATE TABLE shapes AS
SELECT area::area_iri AS area, min(wkt) AS wkt FROM raw_shapes
WHERE area IN (SELECT area::VARCHAR FROM areas) GROUP BY area;

-- Per district, indicator and year: the mean over its municipalities' observations, how many
-- municipalities have one, and whether the series breaks there. A municipality page draws its
-- own series against this (statistics/districts.py); computed once here, read by key there.
CREATE TABLE district_means AS
SELECT a.district, o.indicator::VARCHAR AS indicator, o.period, avg(o.value) AS mean,
       count(DISTINCT o.area) AS municipalities, bool_or(o.series_break) AS series_break
FROM observations o JOIN areas a ON a.area = o.area
WHERE a.district IS NOT NULL AND o.value IS NOT NULL AND o.period IS NOT NULL
GROUP BY ALL ORDER BY a.district;

-- The explorer's series (statistics/explorer.py): each observation with its area's keys, in
-- the order the explorer lists them, so that a selection reads one slice without a join
-- (national layer: 3.1 instead of 4.6 ms a selection, bench/README.md).
CREATE TABLE series_rows AS
SELECT o.indicator, o.dataset, a.district, a.size_class, a.ags, a.name, o.area, o.period,
       o.value, o.unit, o.series_break
FROM observations o LEFT JOIN areas a ON a.area = o.area
ORDER BY o.indicator, a.district, a.name, a.ags, o.area, o.period;
