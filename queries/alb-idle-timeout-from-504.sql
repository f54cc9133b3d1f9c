-- alb-idle-timeout-from-504.sql: What is the load balancer's idle timeout, judging by its 504s?
--
-- When a target does not answer, the ALB gives up after its idle timeout (idle_timeout.timeout_seconds,
-- {{MIN_ALB_IDLE_TIMEOUT_SECONDS}}–{{MAX_ALB_IDLE_TIMEOUT_SECONDS}} s, default {{DEFAULT_ALB_IDLE_TIMEOUT_SECONDS}}) and logs a 504
-- whose `time − request_creation_time` is that timeout plus a little. The estimate is a low
-- percentile (TIMEOUT_PERCENTILE) of those elapsed times, floored to whole seconds; it needs at least
-- {{MIN_TIMEOUTS_TO_INFER}} such 504s (else the default). 504s at 10 s are connect timeouts and are left out.
-- One row: the 504s used, the inferred timeout, and the elapsed times they show.
--
-- Parameters:
--   :database, :table   the access-log table (create-table.sql)
--   :from, :to          the time range: ISO 8601 (UTC unless it has an offset) or an age such as 6h;
--                       `to` is exclusive. Only the day folders around it are read.
--   :alb_idle_timeout   optional: a known value, echoed as the one in effect.
--
-- @kind query
-- @param database identifier
-- @param table identifier
-- @param from timestamp
-- @param to timestamp
-- @param alb_idle_timeout integer {{MIN_ALB_IDLE_TIMEOUT_SECONDS}}..{{MAX_ALB_IDLE_TIMEOUT_SECONDS}} optional
WITH
-- @include _analysis.sql
SELECT
  COALESCE(MAX(timeouts), 0) AS target_timeout_504s,
  MAX(inferred_s) AS inferred_seconds,
  COALESCE(MAX(idle_timeout_s), MAX(s.alb_idle_timeout_flag_s), {{DEFAULT_ALB_IDLE_TIMEOUT_SECONDS}}) AS idle_timeout_seconds,
  COALESCE(MAX(idle_timeout_source), CASE WHEN MAX(s.alb_idle_timeout_flag_s) IS NOT NULL THEN 'flag' ELSE 'default' END) AS source,
  MIN(CASE WHEN role = 'timeout' THEN min_elapsed_us END) / 1000000e0 AS min_elapsed_s,
  MAX(CASE WHEN role = 'timeout' THEN max_elapsed_us END) / 1000000e0 AS max_elapsed_s
FROM settings s
LEFT JOIN analysis ON true
