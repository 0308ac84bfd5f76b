-- SQL twin of stats-size-class-comparison.rq on the statistics mirror (same rows).
-- Size classes follow rg:population of each municipality (as in the SPARQL text).
SELECT a.size_class AS sizeClass, s.label_de AS sizeClassName, o.period AS year,
       count(o.value) AS municipalities, avg(o.value) AS mean
FROM observations o JOIN areas a ON a.area = o.area
JOIN concepts s ON s.concept = a.size_class
WHERE a.kind = 'municipality'
  AND (CAST($indicator AS VARCHAR) IS NULL OR o.indicator = $indicator)
GROUP BY a.size_class, s.label_de, o.period
ORDER BY sizeClassName, year
