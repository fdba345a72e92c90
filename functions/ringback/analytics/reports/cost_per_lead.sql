-- Cost per call, per contact and per lead by source, medium and campaign, per tenant, from
-- the ad spend the tenant uploaded (POST /v1/ad-spend). A contact is a call or a callback
-- request (what this report called a lead before calls had a lead status); a lead is a call
-- somebody marked lead or sale, and a sale one marked sale (calls version 4; older rows
-- are no lead). Sources are matched case-insensitively; spend without contacts and
-- contacts without spend both show.
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
latest_spend AS (
    SELECT *
    FROM (
        SELECT s.*, ROW_NUMBER() OVER (
            PARTITION BY s.tenant_id, s.day, s.source, s.medium, s.campaign ORDER BY s.event_seq DESC
        ) AS change_rank
        FROM ad_spend s
        WHERE s.tenant_id IN ({{tenants}})
          AND s.dt BETWEEN {{from_day}} AND {{to_day}}
    ) changes
    WHERE change_rank = 1
      AND event_name <> 'REMOVE'
      AND day BETWEEN {{from_day}} AND {{to_day}}
      {{filters}}
),
spend AS (
    SELECT tenant_id, lower(coalesce(source, '')) AS source, lower(coalesce(medium, '')) AS medium,
           lower(coalesce(campaign, '')) AS campaign,
           sum(spend) AS spend, max(currency) AS currency, sum(clicks) AS clicks
    FROM latest_spend
    GROUP BY 1, 2, 3, 4
),
call_leads AS (
    SELECT tenant_id, lower(coalesce(source, '')) AS source, lower(coalesce(medium, '')) AS medium,
           lower(coalesce(campaign, '')) AS campaign, count(*) AS calls, count_if(answered) AS answered,
           count_if(lead_status IN ('lead', 'sale')) AS qualified, count_if(lead_status = 'sale') AS sales,
           sum(CASE WHEN lead_status = 'sale' THEN lead_value END) AS sale_value
    FROM latest_calls
    GROUP BY 1, 2, 3, 4
),
callback_leads AS (
    SELECT tenant_id, lower(coalesce(source, '')) AS source, lower(coalesce(medium, '')) AS medium,
           lower(coalesce(campaign, '')) AS campaign, count(*) AS callbacks
    FROM latest_callbacks
    GROUP BY 1, 2, 3, 4
),
leads AS (
    SELECT coalesce(c.tenant_id, b.tenant_id) AS tenant_id, coalesce(c.source, b.source) AS source,
           coalesce(c.medium, b.medium) AS medium, coalesce(c.campaign, b.campaign) AS campaign,
           coalesce(c.calls, 0) AS calls, coalesce(c.answered, 0) AS answered, coalesce(b.callbacks, 0) AS callbacks,
           coalesce(c.qualified, 0) AS qualified, coalesce(c.sales, 0) AS sales, c.sale_value
    FROM call_leads c
    FULL OUTER JOIN callback_leads b
      ON c.tenant_id = b.tenant_id AND c.source = b.source AND c.medium = b.medium AND c.campaign = b.campaign
)
SELECT
    coalesce(s.tenant_id, l.tenant_id) AS tenant_id,
    coalesce(s.source, l.source) AS source,
    coalesce(s.medium, l.medium) AS medium,
    coalesce(s.campaign, l.campaign) AS campaign,
    s.currency,
    round(s.spend, 2) AS spend,
    s.clicks,
    coalesce(l.calls, 0) AS calls,
    coalesce(l.answered, 0) AS answered_calls,
    coalesce(l.callbacks, 0) AS callbacks,
    coalesce(l.calls, 0) + coalesce(l.callbacks, 0) AS contacts,
    coalesce(l.qualified, 0) AS leads,
    coalesce(l.sales, 0) AS sales,
    round(l.sale_value, 2) AS sale_value,
    round(s.spend / nullif(coalesce(l.calls, 0), 0), 2) AS cost_per_call,
    round(s.spend / nullif(coalesce(l.calls, 0) + coalesce(l.callbacks, 0), 0), 2) AS cost_per_contact,
    round(s.spend / nullif(coalesce(l.qualified, 0), 0), 2) AS cost_per_lead
FROM spend s
FULL OUTER JOIN leads l
  ON s.tenant_id = l.tenant_id AND s.source = l.source AND s.medium = l.medium AND s.campaign = l.campaign
ORDER BY spend DESC NULLS LAST, contacts DESC, tenant_id, source, medium, campaign
