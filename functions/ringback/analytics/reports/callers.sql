-- First-time against returning callers, and the time to answer: the ring seconds of
-- answered calls. One row per kind of caller, and one for all callers.
WITH latest_calls AS (
    SELECT *
    FROM (
        SELECT c.*, ROW_NUMBER() OVER (PARTITION BY c.tenant_id, c.call_id ORDER BY c.event_seq DESC) AS change_rank
        FROM calls c
        WHERE c.tenant_id IN ({{tenants}})
          AND c.dt BETWEEN {{dt_from}} AND {{dt_to}}
    ) changes
    WHERE change_rank = 1
      AND event_name <> 'REMOVE'
      AND started_at >= {{from_ms}} AND started_at < {{to_ms}}
      {{filters}}
)
SELECT
    CASE
        WHEN grouping(first_time_caller) = 1 THEN 'all'
        WHEN first_time_caller THEN 'first_time'
        WHEN NOT first_time_caller THEN 'returning'
        ELSE 'unknown'
    END AS callers,
    count(*) AS calls,
    count(DISTINCT caller_key) AS unique_callers,
    count_if(answered) AS answered,
    round(100 * CAST(count_if(answered) AS double) / count(*), 1) AS answered_pct,
    round(avg(CASE WHEN answered THEN CAST(ring_seconds AS double) END), 1) AS avg_ring_seconds,
    round(approx_percentile(CASE WHEN answered THEN CAST(ring_seconds AS double) END, 0.5), 1) AS p50_ring_seconds,
    round(approx_percentile(CASE WHEN answered THEN CAST(ring_seconds AS double) END, 0.9), 1) AS p90_ring_seconds
FROM latest_calls
GROUP BY GROUPING SETS ((first_time_caller), ())
ORDER BY 1
