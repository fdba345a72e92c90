-- The callback funnel: requested, the operator answered, the visitor answered (connected),
-- completed; and the connect time (the visitor answering, from the request) p50 and p90.
WITH latest_callbacks AS (
    SELECT *
    FROM (
        SELECT r.*, ROW_NUMBER() OVER (PARTITION BY r.tenant_id, r.request_id ORDER BY r.event_seq DESC) AS change_rank
        FROM callbacks r
        WHERE r.tenant_id IN ({{tenants}})
          AND r.dt BETWEEN {{dt_from}} AND {{dt_to}}
    ) changes
    WHERE change_rank = 1
      AND event_name <> 'REMOVE'
      AND created_at >= {{from_ms}} AND created_at < {{to_ms}}
      {{filters}}
)
SELECT
    count(*) AS requested,
    count_if(operator_answered_at IS NOT NULL) AS operator_answered,
    count_if(visitor_answered_at IS NOT NULL) AS visitor_answered,
    count_if(status = 'completed') AS completed,
    count_if(status IN ('missed', 'failed', 'cancelled')) AS not_connected,
    round(100 * CAST(count_if(visitor_answered_at IS NOT NULL) AS double) / nullif(count(*), 0), 1) AS connected_pct,
    round(approx_percentile(CAST(visitor_answered_at - created_at AS double) / 1000, 0.5), 1) AS p50_connect_seconds,
    round(approx_percentile(CAST(visitor_answered_at - created_at AS double) / 1000, 0.9), 1) AS p90_connect_seconds
FROM latest_callbacks
