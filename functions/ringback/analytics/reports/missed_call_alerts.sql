-- Missed calls and the texts that told the site about them, per site: the missed calls
-- (busy, no-answer, failed, canceled, or a voicemail), how many had a text sent, the texts
-- sent, delivered and failed (failed or undelivered: the contact never got them), the
-- missed calls none of whose texts arrived, and the carrier's error codes of the failures.
-- Calls from before alerts were tracked (schema version 1) count as missed, with no texts.
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
missed AS (
    SELECT site_id, coalesce(alerts_sent, 0) AS sent, coalesce(alerts_delivered, 0) AS delivered,
           coalesce(alerts_failed, 0) AS failed, alert_error_code
    FROM latest_calls
    WHERE status IN ('busy', 'no-answer', 'failed', 'canceled', 'voicemail')
)
SELECT
    site_id,
    count(*) AS missed_calls,
    count_if(sent > 0) AS alerted_calls,
    sum(sent) AS texts_sent,
    sum(delivered) AS texts_delivered,
    sum(failed) AS texts_failed,
    count_if(sent > 0 AND failed = sent) AS calls_no_text_reached,
    array_join(array_sort(array_distinct(array_agg(alert_error_code) FILTER (WHERE alert_error_code IS NOT NULL))), ',')
        AS error_codes
FROM missed
GROUP BY site_id
ORDER BY site_id
