-- Calls by source, medium, campaign, keyword and landing page of the visit credited with
-- the call: the attributed one, the visitor's first touch or their last non-direct touch
-- (touch=; the credited placeholder renames that visit's columns as source, medium...).
-- Placeholders (names in double braces) are filled by ringback.analytics.reports with values it has
-- validated and quoted; nothing from a request is pasted in raw.
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
credited AS (
    SELECT {{credited}}, answered, status, first_time_caller, talk_seconds
    FROM latest_calls
)
SELECT
    source,
    medium,
    campaign,
    keyword,
    landing_page,
    count(*) AS calls,
    count_if(answered) AS answered,
    count_if(status IN ('busy', 'no-answer', 'failed', 'canceled')) AS missed,
    round(100 * CAST(count_if(answered) AS double) / count(*), 1) AS answered_pct,
    count_if(first_time_caller) AS first_time_callers,
    round(avg(CASE WHEN answered THEN CAST(talk_seconds AS double) END), 1) AS avg_talk_seconds
FROM credited
GROUP BY source, medium, campaign, keyword, landing_page
ORDER BY calls DESC, source, medium, campaign, keyword, landing_page
