-- SQL twin of stats-municipality-profile.rq on the statistics mirror (same rows).
SELECT o.indicator, i.label_de AS indicatorLabel, o.value, o.unit
FROM observations o JOIN areas a ON a.area = o.area
LEFT JOIN concepts i ON i.concept = o.indicator
WHERE a.ags = $ags AND (CAST($year AS INTEGER) IS NULL OR o.period = $year)
ORDER BY indicatorLabel
