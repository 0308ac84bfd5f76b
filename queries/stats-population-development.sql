-- SQL twin of stats-population-development.rq on the statistics mirror (same rows).
SELECT a.area AS municipality, a.ags, a.name, o.period AS year, o.value AS population
FROM observations o JOIN areas a ON a.area = o.area
WHERE a.kind = 'municipality'
  AND o.indicator = 'https://w3id.org/regiograph/concepts/indicator/population'
  AND (CAST($district AS VARCHAR) IS NULL OR a.district = $district)
  AND (CAST($fromYear AS INTEGER) IS NULL OR o.period >= $fromYear)
  AND (CAST($toYear AS INTEGER) IS NULL OR o.period <= $toYear)
ORDER BY a.name, o.period
