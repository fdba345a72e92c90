-- An agency's roll-up: one row per tenant in the report's scope (its clients with
-- tenants=all), with no activity shown as zeros.
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
),
latest_callbacks AS (
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
),
scope AS (
    SELECT tenant_id FROM (VALUES {{tenant_rows}}) AS t (tenant_id)
),
call_totals AS (
    SELECT tenant_id, count(*) AS calls, count_if(answered) AS answered
    FROM latest_calls
    GROUP BY tenant_id
),
callback_totals AS (
    SELECT tenant_id, count(*) AS callbacks, count_if(visitor_answered_at IS NOT NULL) AS connected
    FROM latest_callbacks
    GROUP BY tenant_id
)
SELECT
    s.tenant_id,
    coalesce(c.calls, 0) AS calls,
    coalesce(c.answered, 0) AS answered,
    round(100 * CAST(c.answered AS double) / nullif(c.calls, 0), 1) AS answered_pct,
    coalesce(b.callbacks, 0) AS callbacks,
    coalesce(b.connected, 0) AS connected,
    round(100 * CAST(b.connected AS double) / nullif(b.callbacks, 0), 1) AS connected_pct
FROM scope s
LEFT JOIN call_totals c ON c.tenant_id = s.tenant_id
LEFT JOIN callback_totals b ON b.tenant_id = s.tenant_id
ORDER BY s.tenant_id
