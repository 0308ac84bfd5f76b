-- SQL twin of stats-indicator-averages.rq on the statistics mirror (same rows).
SELECT indicator, count(value) AS observations, avg(value) AS mean, min(value) AS minimum,
       max(value) AS maximum
FROM observations GROUP BY indicator ORDER BY indicator
