-- races-timeline.sql: When did the keep-alive races happen, against traffic and other errors?
--
-- Per target group and time bucket (`time`, epoch-aligned, :bucket_seconds wide, whole minutes): requests, keep-alive
-- races and other 5xx/460 responses. Races that follow quiet periods rather than traffic peaks are the
-- keep-alive signature (connections sit idle long enough); a block of other errors is a deploy or an
-- outage. Only buckets with requests are listed.
--
-- Parameters:
--   :database, :table   the access-log table (create-table.sql)
--   :from, :to          the time range: ISO 8601 (UTC unless it has an offset) or an age such as 6h;
--                       `to` is exclusive. Only the day folders around it are read.
--   :bucket_seconds     bucket width in seconds, a multiple of {{TIMELINE_STEP_SECONDS}} (default 300)
--   :alb_idle_timeout   optional: the load balancer's idle timeout in seconds (default: inferred from
--                       its 504s, else {{DEFAULT_ALB_IDLE_TIMEOUT_SECONDS}}).
--
-- @kind query
-- @param database identifier
-- @param table identifier
-- @param from timestamp
-- @param to timestamp
-- @param bucket_seconds integer {{TIMELINE_STEP_SECONDS}}..604800 step {{TIMELINE_STEP_SECONDS}} default 300
-- @param alb_idle_timeout integer {{MIN_ALB_IDLE_TIMEOUT_SECONDS}}..{{MAX_ALB_IDLE_TIMEOUT_SECONDS}} optional
WITH
-- @include _analysis.sql
SELECT
  target_group_arn,
  TIMESTAMP '1970-01-01 00:00:00' + INTERVAL '1' SECOND * bucket_start_s AS bucket_start,
  bucket_start_s * 1000 AS bucket_start_ms,
  SUM(requests) AS requests,
  SUM(races) AS races,
  SUM(other_errors) AS other_errors
FROM (
  SELECT
    k_group AS target_group_arn,
    -- per-minute counts, and each race-shaped 502 at its own time
    CAST(floor(CASE WHEN role = 'timeline' THEN k_time * {{TIMELINE_STEP_SECONDS}} ELSE time_us / 1000000e0 END / w.bucket_s) AS bigint) * w.bucket_s AS bucket_start_s,
    CASE WHEN role = 'timeline' THEN n ELSE 0 END AS requests,
    CASE WHEN role = 'candidate' AND class = 'keepalive_race' THEN 1 ELSE 0 END AS races,
    CASE WHEN role = 'timeline' THEN explained WHEN class <> 'keepalive_race' THEN 1 ELSE 0 END AS other_errors
  FROM analysis
  CROSS JOIN (SELECT CAST(:bucket_seconds AS bigint) AS bucket_s) w
  WHERE role IN ('timeline', 'candidate')
) b
GROUP BY target_group_arn, bucket_start_s
ORDER BY target_group_arn, bucket_start_s
