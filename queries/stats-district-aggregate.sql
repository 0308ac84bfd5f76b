-- SQL twin of stats-district-aggregate.rq on the statistics mirror (same rows).
SELECT a.district, a.district_name AS districtName, count(o.value) AS municipalities,
       sum(o.value) AS total, avg(o.value) AS mean, min(o.value) AS minimum, max(o.value) AS maximum
FROM observations o JOIN areas a ON a.area = o.area
WHERE a.kind = 'municipality' AND a.district IS NOT NULL
  AND (CAST($indicator AS VARCHAR) IS NULL OR o.indicator = $indicator)
  AND (CAST($year AS INTEGER) IS NULL OR o.period = $year)
GROUP BY a.district, a.district_name
ORDER BY total DESC
