-- Pool health over the range, per pool: utilisation (seconds leased within the range over
-- line-seconds in it; a pool's lines are those that held a lease in the range, which is
-- every line of a pool in use, since the allocator takes the line free the longest),
-- overflow (leases that had to share a line), and the calls to the pool's numbers, on a
-- shared line or not. Leases last at most 7 days, so partitions from 7 days before the
-- range are read for the leases that began earlier and overlap it.
WITH latest_leases AS (
    SELECT *
    FROM (
        SELECT l.*, ROW_NUMBER() OVER (PARTITION BY l.tenant_id, l.line, l.lease_started ORDER BY l.event_seq DESC) AS change_rank
        FROM leases l
        WHERE l.tenant_id IN ({{tenants}})
          AND l.dt BETWEEN {{lease_dt_from}} AND {{dt_to}}
    ) changes
    WHERE change_rank = 1
      AND event_name <> 'REMOVE'
      AND started_at < {{to_ms}} AND coalesce(ended_at, started_at) > {{from_ms}}
      {{filters}}
),
latest_calls AS (
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
),
per_pool AS (
    SELECT
        pool_id,
        count(DISTINCT line) AS lines,
        count_if(started_at >= {{from_ms}}) AS leases,
        count_if(shared AND started_at >= {{from_ms}}) AS shared_leases,
        sum(CAST(least(coalesce(ended_at, started_at), {{to_ms}}) - greatest(started_at, {{from_ms}}) AS double) / 1000) AS leased_seconds
    FROM latest_leases
    GROUP BY pool_id
),
pool_numbers AS (
    SELECT DISTINCT pool_id, number FROM latest_leases
),
pool_calls AS (
    SELECT n.pool_id, count(*) AS calls, count_if(c.shared_line) AS calls_on_shared_lines
    FROM latest_calls c
    JOIN pool_numbers n ON c.tracking_number = n.number
    GROUP BY n.pool_id
)
SELECT
    p.pool_id,
    p.lines,
    p.leases,
    round(p.leased_seconds, 0) AS leased_seconds,
    p.lines * CAST({{to_ms}} - {{from_ms}} AS double) / 1000 AS line_seconds,
    round(100 * p.leased_seconds / (p.lines * CAST({{to_ms}} - {{from_ms}} AS double) / 1000), 2) AS utilisation_pct,
    p.shared_leases,
    round(100 * CAST(p.shared_leases AS double) / nullif(p.leases, 0), 2) AS overflow_pct,
    coalesce(k.calls, 0) AS calls,
    coalesce(k.calls_on_shared_lines, 0) AS calls_on_shared_lines
FROM per_pool p
LEFT JOIN pool_calls k ON k.pool_id = p.pool_id
ORDER BY p.pool_id
