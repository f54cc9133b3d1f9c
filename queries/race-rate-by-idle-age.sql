-- race-rate-by-idle-age.sql: How often does a request race, by how long its connection had been idle?
--
-- The curve behind the keep-alive estimate, per target group: requests and keep-alive races by idle-gap
-- bucket (the report's buckets: 0 1 2 5 10 20 50 100 200 ms, then 32 per octave from 500 ms to 128 s,
-- then 4 per octave; the last bucket is open). A keep-alive problem shows as a race rate near zero for
-- short gaps and a spike at the target's keep-alive timeout. Every bucket from a group's first non-empty
-- one to its last is listed, empty ones included.
--
-- Parameters:
--   :database, :table   the access-log table (create-table.sql)
--   :from, :to          the time range: ISO 8601 (UTC unless it has an offset) or an age such as 6h;
--                       `to` is exclusive. Only the day folders around it are read.
--   :alb_idle_timeout   optional: the load balancer's idle timeout in seconds (default: inferred from
--                       its 504s, else {{DEFAULT_ALB_IDLE_TIMEOUT_SECONDS}}).
--
-- @kind query
-- @param database identifier
-- @param table identifier
-- @param from timestamp
-- @param to timestamp
-- @param alb_idle_timeout integer {{MIN_ALB_IDLE_TIMEOUT_SECONDS}}..{{MAX_ALB_IDLE_TIMEOUT_SECONDS}} optional
WITH
-- @include _analysis.sql
,
counts AS (
  SELECT k_group, bucket, SUM(requests) AS requests, SUM(races) AS races
  FROM (
    SELECT
      k_group,
      CASE WHEN role = 'hist' THEN k_bucket ELSE gap_bucket END AS bucket,
      CASE WHEN role = 'hist' THEN n ELSE 0 END AS requests,
      CASE WHEN role = 'candidate' THEN 1 ELSE 0 END AS races
    FROM analysis
    WHERE role = 'hist' OR (role = 'candidate' AND class = 'keepalive_race' AND gap_us IS NOT NULL)
  ) x
  GROUP BY k_group, bucket
)
-- Every bucket from the group's first non-empty one to its last.
SELECT
  c.k_group AS target_group_arn,
  b.bucket,
  b.from_ms AS idle_from_ms,
  b.to_ms AS idle_to_ms,
  SUM(CASE WHEN c.bucket = b.bucket THEN c.requests ELSE 0 END) AS requests,
  SUM(CASE WHEN c.bucket = b.bucket THEN c.races ELSE 0 END) AS races,
  CASE WHEN SUM(CASE WHEN c.bucket = b.bucket THEN c.requests ELSE 0 END) = 0 THEN NULL
    ELSE CAST(SUM(CASE WHEN c.bucket = b.bucket THEN c.races ELSE 0 END) AS double) / SUM(CASE WHEN c.bucket = b.bucket THEN c.requests ELSE 0 END)
  END AS race_rate
FROM (SELECT counts.*, MIN(bucket) OVER (PARTITION BY k_group) AS first_bucket, MAX(bucket) OVER (PARTITION BY k_group) AS last_bucket FROM counts) c
JOIN idle_buckets b ON b.bucket BETWEEN c.first_bucket AND c.last_bucket
GROUP BY c.k_group, b.bucket, b.from_ms, b.to_ms
ORDER BY target_group_arn, b.bucket
