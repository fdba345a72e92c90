-- Calls by source, medium, campaign, keyword and landing page of the visit credited with
-- the call: the attributed one, the visitor's first touch or their last non-direct touch
-- (touch=; the credited placeholder renames that visit's columns as source, medium...).
-- Leads are the calls somebody marked lead or sale (the dashboard's PATCH /v1/calls/{id});
-- sales and their value are the calls marked sale. Rows written before leads were tracked
-- (calls version 1 to 3) have no lead status and count as neither. sale_currency is the
-- sales' one currency, or 'mixed' when a group's sales were in several.
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
    SELECT {{credited}}, answered, status, first_time_caller, talk_seconds, lead_status, lead_value, lead_currency
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
    round(avg(CASE WHEN answered THEN CAST(talk_seconds AS double) END), 1) AS avg_talk_seconds,
    count_if(lead_status IN ('lead', 'sale')) AS leads,
    count_if(lead_status = 'sale') AS sales,
    round(sum(CASE WHEN lead_status = 'sale' THEN lead_value END), 2) AS sale_value,
    CASE
        WHEN count(DISTINCT CASE WHEN lead_status = 'sale' THEN lead_currency END) > 1 THEN 'mixed'
        ELSE max(CASE WHEN lead_status = 'sale' THEN lead_currency END)
    END AS sale_currency
FROM credited
GROUP BY source, medium, campaign, keyword, landing_page
ORDER BY calls DESC, source, medium, campaign, keyword, landing_page
