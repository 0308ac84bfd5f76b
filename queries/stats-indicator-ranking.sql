-- SQL twin of stats-indicator-ranking.rq on the statistics mirror (same rows).
SELECT a.area AS municipality, a.ags, a.name, o.value
FROM observations o JOIN areas a ON a.area = o.area
WHERE a.kind = 'municipality'
  AND (CAST($indicator AS VARCHAR) IS NULL OR o.indicator = $indicator)
  AND (CAST($year AS INTEGER) IS NULL OR o.period = $year)
  AND (CAST($district AS VARCHAR) IS NULL OR a.district = $district)
ORDER BY o.value DESC, a.name
LIMIT 25
