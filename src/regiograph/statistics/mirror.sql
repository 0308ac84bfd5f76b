-- Typed tables of the statistics mirror, from the raw CSV columns (all text).
-- Run once per build by mirror.py; the explorer and the SQL twins of saved queries read them.
CREATE TABLE concepts AS
SELECT concept, any_value(scheme) AS scheme, min(labelDe) AS label_de, min(labelEn) AS label_en,
       min(unit) AS unit, min(notation) AS notation,
       min(TRY_CAST("min" AS BIGINT)) AS min_population,
       min(TRY_CAST("max" AS BIGINT)) AS max_population
FROM raw_concepts GROUP BY concept;

-- Observations: the components joined by subject; only subjects in a qb:DataSet count.
-- Stored sorted by indicator, area and period: DuckDB then skips whole row groups by their
-- min/max when a question names an indicator (at 3.3M rows: 63 -> 13 ms for one district).
CREATE TABLE observations AS
SELECT d.o AS dataset, a.o AS area, i.o AS indicator,
       TRY_CAST(substr(p.o, 1, 4) AS INTEGER) AS period,
       TRY_CAST(v.o AS DOUBLE) AS value,
       coalesce(u.o, c.unit) AS unit
FROM raw_dataset d
JOIN raw_area a USING (s) JOIN raw_indicator i USING (s) JOIN raw_period p USING (s)
JOIN raw_value v USING (s) LEFT JOIN raw_unit u USING (s)
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
SELECT f.area, f.kind, f.ags, f.name, f.district, f.district_name,
       coalesce(f.population, l.population) AS population, f.settlement,
       (SELECT s.concept FROM concepts s
        WHERE s.scheme = 'https://w3id.org/regiograph/concepts/size-class'
          AND coalesce(f.population, l.population) >= s.min_population
          AND (s.max_population IS NULL OR coalesce(f.population, l.population) < s.max_population)
        LIMIT 1) AS size_class
FROM facts f LEFT JOIN latest l USING (area);
