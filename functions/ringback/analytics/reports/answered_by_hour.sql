-- Answered against missed calls by weekday (ISO: 1 = Monday) and hour, in the report's
-- time zone (the site's, or the one asked for).
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
local_calls AS (
    SELECT from_unixtime(CAST(started_at AS double) / 1000) AT TIME ZONE {{timezone}} AS local_time, answered, status
    FROM latest_calls
)
SELECT
    day_of_week(local_time) AS weekday,
    hour(local_time) AS hour_of_day,
    count(*) AS calls,
    count_if(answered) AS answered,
    count_if(status IN ('busy', 'no-answer', 'failed', 'canceled')) AS missed,
    round(100 * CAST(count_if(answered) AS double) / count(*), 1) AS answered_pct
FROM local_calls
GROUP BY day_of_week(local_time), hour(local_time)
ORDER BY weekday, hour_of_day
