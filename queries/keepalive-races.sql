-- keepalive-races.sql: Which 502s look like keep-alive races, and how long had their connection been idle?
--
-- One row per race-shaped 502 (target present, no target status, error_reason `-`; shapes A `rpt tpt -1`,
-- B `-1 -1 -1`, C `rpt -1 -1`, domain.md §5) with its idle gap: dispatched − the latest end of the
-- requests that freed a connection on the same (ALB node, target) pair before it (window functions per
-- pair). The node comes from the object key in "$path", else the ip_address field, else it is unknown
-- (`-`: gaps are then per target across nodes, and too short). `class` is the final verdict:
-- keepalive_race, closed_connection_race or target_connection_error (in a deploy's run of refusals).
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
SELECT
  "time",
  k_group AS target_group_arn,
  k_node AS alb_node,
  target,
  shape,
  gap_ms AS idle_gap_ms,
  class,
  in_deploy_run,
  path AS file
FROM analysis
WHERE role = 'candidate'
ORDER BY time_us, path
